import { Aws } from 'aws-cdk-lib';
import {
  AccessLogFormat, Cors, JsonSchemaVersion, LambdaIntegration, LogGroupLogDestination, MethodLoggingLevel,
  RequestValidator, ResponseType, RestApi, type JsonSchema, type Model,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { toJsonSchema, type JsonSchema as PlainJsonSchema } from '../../functions/contracts/json-schema';
import type { RouteContract } from '../../functions/contracts/routes';
import { ENV } from '../../functions/shared/environment';
import { acknowledge } from './acknowledge';
import type { Stage } from './stage';

export interface CommerceRestApiProps {
  readonly stage: Stage;
}

const PROBLEM = 'application/problem+json';

/** Gateway-made errors answer in problem+json too, so clients handle one error format. */
const GATEWAY_PROBLEMS: { type: ResponseType; status: string; title: string }[] = [
  { type: ResponseType.BAD_REQUEST_BODY, status: '400', title: 'Bad Request' },
  { type: ResponseType.BAD_REQUEST_PARAMETERS, status: '400', title: 'Bad Request' },
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: '404', title: 'Not Found' },
  { type: ResponseType.RESOURCE_NOT_FOUND, status: '404', title: 'Not Found' },
  { type: ResponseType.REQUEST_TOO_LARGE, status: '413', title: 'Content Too Large' },
  { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, status: '415', title: 'Unsupported Media Type' },
  { type: ResponseType.THROTTLED, status: '429', title: 'Too Many Requests' },
  { type: ResponseType.QUOTA_EXCEEDED, status: '429', title: 'Too Many Requests' },
  { type: ResponseType.DEFAULT_4XX, status: '400', title: 'Bad Request' },
  { type: ResponseType.DEFAULT_5XX, status: '502', title: 'Bad Gateway' },
];

function problemTemplate(status: string, title: string, type: ResponseType): string {
  const detail = type === ResponseType.BAD_REQUEST_BODY ? '$context.error.validationErrorString' : '$context.error.message';
  return JSON.stringify({
    type: 'about:blank',
    title,
    status: Number(status),
    detail,
    ...(type === ResponseType.BAD_REQUEST_BODY ? { errors: [{ path: 'body', message: detail }] } : {}),
    correlationId: '$context.requestId',
  });
}

/** zod's draft-04 JSON Schema in the shape CDK's model type expects (`$schema` → `schema`, `$ref` → `ref`). */
function toModelSchema(schema: PlainJsonSchema): JsonSchema {
  const rename = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rename);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key === '$ref' ? 'ref' : key === '$schema' ? 'schema' : key, rename(inner)]),
    );
  };
  return { schema: JsonSchemaVersion.DRAFT4, ...(rename(schema) as JsonSchema) };
}

const pascal = (id: string) => id.charAt(0).toUpperCase() + id.slice(1);

/**
 * The public REST API (v1): one stage named after the deployment stage, throttled, JSON access
 * logs, tracing, CORS preflight, bodies validated against models generated from the zod
 * contracts, and problem+json for errors the gateway itself produces.
 */
export class CommerceRestApi extends Construct {
  readonly api: RestApi;
  /**
   * The stage's base URL, `https://<api id>.execute-api.<region>.<url suffix>/<stage>` (no
   * trailing slash), built from the API's id alone. `api.url` would reference the Stage, which
   * depends on the Deployment, on every method and so on every function behind them: a function
   * of this stack holding it would make a cycle.
   */
  readonly url: string;
  private readonly bodyValidator: RequestValidator;

  constructor(scope: Construct, id: string, props: CommerceRestApiProps) {
    super(scope, id);
    const { stage } = props;
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: stage.logRetention, removalPolicy: stage.removalPolicy });
    this.api = new RestApi(this, 'Api', {
      restApiName: `commerce-${stage.name}`,
      description: 'Commerce public API',
      cloudWatchRole: false,
      deployOptions: {
        stageName: stage.name,
        throttlingRateLimit: stage.apiThrottle.rateLimit,
        throttlingBurstLimit: stage.apiThrottle.burstLimit,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.OFF,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: stage.allowedOrigins,
        allowMethods: Cors.ALL_METHODS,
        allowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'X-Correlation-Id'],
        exposeHeaders: ['X-Correlation-Id', 'Location'],
      },
    });
    this.url = `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${stage.name}`;
    this.bodyValidator = new RequestValidator(this, 'BodyValidator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    for (const { type, status, title } of GATEWAY_PROBLEMS) {
      this.api.addGatewayResponse(`Problem${type.responseType}`, {
        type,
        statusCode: status,
        responseHeaders: { 'Access-Control-Allow-Origin': "'*'", 'Content-Type': `'${PROBLEM}'` },
        templates: { [PROBLEM]: problemTemplate(status, title, type), 'application/json': problemTemplate(status, title, type) },
      });
    }
    this.acknowledgeFindings();
  }

  /** Routes `route` to `fn` as a Lambda proxy integration, validating its body against the route's model. */
  addRoute(id: string, route: RouteContract, fn: IFunction): void {
    let requestModels: Record<string, Model> | undefined;
    if (route.body) {
      const model = this.api.addModel(`${pascal(id)}Model`, {
        contentType: 'application/json',
        modelName: `${pascal(id)}Request`,
        schema: toModelSchema(toJsonSchema(route.body, 'draft-04', 'input')),
      });
      requestModels = { 'application/json': model };
    }
    this.api.root.resourceForPath(route.path).addMethod(route.method, new LambdaIntegration(fn, { allowTestInvoke: false }), {
      operationName: id,
      ...(requestModels ? { requestModels, requestValidator: this.bodyValidator } : {}),
    });
  }

  /**
   * Gives `fn` the stage's base URL (`envName`), for calling this API's routes as the caller: no
   * grant goes with it, each route checks the caller's token itself.
   */
  bindUrl(fn: LambdaFunction, envName: string = ENV.apiUrl): void {
    fn.addEnvironment(envName, this.url);
  }

  private acknowledgeFindings(): void {
    const authReason =
      'Access control is enforced in every function by the shared JWT middleware (public, user, admin per route); ' +
      'API Gateway authorizers and Cognito are not available on the LocalStack target this app also deploys to';
    acknowledge(this.api, 'AwsSolutions-APIG4', authReason);
    acknowledge(this.api, 'AwsSolutions-COG4', authReason);
    acknowledge(
      this.api,
      'AwsSolutions-APIG3',
      'A WAF web ACL is an account-level, cost-bearing choice left to the deployer; the stage is throttled per method',
    );
    acknowledge(
      this.api,
      'AwsSolutions-APIG6',
      'JSON access logs are written for every request; execution logging needs the account-wide API Gateway CloudWatch role, which this app does not take over',
    );
  }
}
