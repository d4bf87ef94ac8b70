import { Aws, Stack } from 'aws-cdk-lib';
import {
  AccessLogFormat, Cors, JsonSchemaVersion, LambdaIntegration, LogGroupLogDestination, MethodLoggingLevel,
  RequestValidator, ResponseType, RestApi, type JsonSchema, type Model,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { toJsonSchema, type JsonSchema as PlainJsonSchema } from '../../functions/contracts/json-schema';
import type { RouteContract } from '../../functions/contracts/routes';
import { ENV } from '../../functions/shared/environment';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TITLES, problemType } from '../../functions/shared/http/problem-types';
import { acknowledgeNagFinding } from './acknowledge-nag-finding';
import type { Stage } from './stage';

export interface CommerceRestApiProps {
  readonly stage: Stage;
}

const PROBLEM = PROBLEM_CONTENT_TYPE;

interface GatewayProblem {
  readonly type: ResponseType;
  /** Unset only on DEFAULT_4XX: a status there would replace the own status of every 4XX type without a definition. */
  readonly status?: number;
  /** The problem `type` code, as the functions' error mapper uses them. */
  readonly code: string;
  /** Said instead of API Gateway's own message where that would mislead the client. */
  readonly detail?: string;
}

/** The response types that answer with one status and problem `type` code. */
function answering(status: number, code: string, ...types: ResponseType[]): GatewayProblem[] {
  return types.map((type) => ({ type, status, code }));
}

/**
 * Every response type API Gateway has, with the status it answers with by default, so that each
 * keeps its meaning (an UNAUTHORIZED stays a 401, not the 400 a DEFAULT_4XX status would make it).
 * Exceptions: MISSING_AUTHENTICATION_TOKEN is what API Gateway says for a path or method with no
 * route (no route here uses IAM auth or API keys), which this API's contract calls a 404; and
 * DEFAULT_5XX is what a failed Lambda proxy integration answers, with API Gateway's own 502.
 */
export const GATEWAY_PROBLEMS: readonly GatewayProblem[] = [
  ...answering(400, 'validation-error', ResponseType.BAD_REQUEST_BODY, ResponseType.BAD_REQUEST_PARAMETERS),
  ...answering(401, 'unauthorized', ResponseType.UNAUTHORIZED),
  ...answering(
    403, 'forbidden', ResponseType.ACCESS_DENIED, ResponseType.EXPIRED_TOKEN, ResponseType.INVALID_API_KEY,
    ResponseType.INVALID_SIGNATURE, ResponseType.WAF_FILTERED,
  ),
  { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 404, code: 'not-found', detail: 'No route matches this method and path.' },
  ...answering(404, 'not-found', ResponseType.RESOURCE_NOT_FOUND),
  ...answering(413, 'payload-too-large', ResponseType.REQUEST_TOO_LARGE),
  ...answering(415, 'unsupported-media-type', ResponseType.UNSUPPORTED_MEDIA_TYPE),
  ...answering(429, 'too-many-requests', ResponseType.THROTTLED, ResponseType.QUOTA_EXCEEDED),
  ...answering(
    500, 'internal-error', ResponseType.API_CONFIGURATION_ERROR, ResponseType.AUTHORIZER_CONFIGURATION_ERROR, ResponseType.AUTHORIZER_FAILURE,
  ),
  ...answering(504, 'integration-failure', ResponseType.INTEGRATION_FAILURE),
  ...answering(504, 'integration-timeout', ResponseType.INTEGRATION_TIMEOUT),
  { type: ResponseType.DEFAULT_4XX, code: 'client-error' },
  ...answering(502, 'bad-gateway', ResponseType.DEFAULT_5XX),
];

/**
 * A gateway response body: problem+json. Gateway response templates are not VTL, only plain
 * variable substitution (no `$util.escapeJavaScript`), so nothing unescaped may be spliced into a
 * JSON string: the message goes in as `$context.error.messageString`, which API Gateway renders
 * as a quoted, escaped JSON string. `$context.error.validationErrorString` is left out for that
 * reason (it is neither quoted nor documented as escaped); the function's own validation names
 * every failing field. The status is in the body only where the response has a fixed one.
 */
export function problemTemplate({ type, status, code, detail }: GatewayProblem): string {
  const message = detail === undefined ? '$context.error.messageString' : JSON.stringify(detail);
  const fields = [
    `"type":${JSON.stringify(problemType(code))}`,
    `"title":${JSON.stringify(status === undefined ? 'Client Error' : (PROBLEM_TITLES[status] ?? 'Error'))}`,
    ...(status === undefined ? [] : [`"status":${status}`]),
    `"detail":${message}`,
    ...(type === ResponseType.BAD_REQUEST_BODY ? [`"errors":[{"path":"body","message":${message}}]`] : []),
    // A UUID API Gateway generates: nothing a client sends.
    '"correlationId":"$context.requestId"',
  ];
  return `{${fields.join(',')}}`;
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
        allowOrigins: [stage.allowedOrigin],
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
    for (const problem of GATEWAY_PROBLEMS) {
      const template = problemTemplate(problem);
      this.api.addGatewayResponse(`Problem${problem.type.responseType}`, {
        type: problem.type,
        ...(problem.status === undefined ? {} : { statusCode: String(problem.status) }),
        responseHeaders: { 'Access-Control-Allow-Origin': `'${stage.allowedOrigin}'`, 'Content-Type': `'${PROBLEM}'` },
        templates: { [PROBLEM]: template, 'application/json': template },
      });
    }
    this.acknowledgeNagFindings(stage);
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
   * Publishes the stage's base URL in the SSM parameter named after the stage (apiUrlParameterName),
   * for functions of stacks deployed before this one (see bindPublishedApiUrl).
   */
  publishUrl(stage: Stage): StringParameter {
    return new StringParameter(this, 'UrlParameter', {
      parameterName: apiUrlParameterName(stage),
      stringValue: this.url,
      description: 'Base URL of the commerce API stage, for functions that call it as the caller',
    });
  }

  /**
   * Gives `fn` the stage's base URL (`envName`), for calling this API's routes as the caller: no
   * grant goes with it, each route checks the caller's token itself.
   */
  bindUrl(fn: LambdaFunction, envName: string = ENV.apiUrl): void {
    fn.addEnvironment(envName, this.url);
  }

  private acknowledgeNagFindings(stage: Stage): void {
    const authReason =
      'Access control is enforced in every function by the shared JWT middleware (public, user, admin per route); ' +
      'API Gateway authorizers and Cognito are not available on the LocalStack target this app also deploys to';
    acknowledgeNagFinding(this.api, 'AwsSolutions-APIG4', authReason);
    acknowledgeNagFinding(this.api, 'AwsSolutions-COG4', authReason);
    if (!stage.waf) {
      acknowledgeNagFinding(
        this.api,
        'AwsSolutions-APIG3',
        'This stage has no WAF web ACL (LocalStack, which deploys dev, has no WAF); prod has one (ApiWebAcl), and every stage is throttled',
      );
    }
    acknowledgeNagFinding(
      this.api,
      'AwsSolutions-APIG6',
      'JSON access logs are written for every request; execution logging needs the account-wide API Gateway CloudWatch role, which this app does not take over',
    );
  }
}

/**
 * The SSM parameter the API stack publishes its stage's base URL in. Named after the stage, so a
 * stack deployed before the API's (whose functions the API routes to, so they cannot hold a
 * reference to it) knows where to look without any reference between the two.
 */
export function apiUrlParameterName(stage: Stage): string {
  return `/commerce/${stage.name}/api-url`;
}

/**
 * Gives `fn` the name of the parameter holding the API's base URL (ENV.apiUrlParameter) and
 * ssm:GetParameter on that parameter only: the function reads the address on its first call
 * (functions/shared/api-url.ts). No grant on the API goes with it: each route checks the caller's token.
 */
export function bindPublishedApiUrl(fn: LambdaFunction, stage: Stage): void {
  const name = apiUrlParameterName(stage);
  fn.addEnvironment(ENV.apiUrlParameter, name);
  fn.addToRolePolicy(new PolicyStatement({
    actions: ['ssm:GetParameter'],
    resources: [Stack.of(fn).formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') })],
  }));
}
