import { Aws } from 'aws-cdk-lib';
import {
  AccessLogFormat, CfnRestApi, Cors, Deployment, JsonSchemaVersion, LambdaIntegration, LogGroupLogDestination, MethodLoggingLevel, Model,
  RequestValidator, ResponseType, RestApi, Stage as ApiStage, type CfnRestApiProps, type CorsOptions, type IResource, type JsonSchema, type RestApiBase,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { toJsonSchema, type JsonSchema as PlainJsonSchema } from '../../functions/contracts/json-schema';
import type { RouteContract } from '../../functions/contracts/routes';
import { ENV } from '../../functions/shared/environment';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TITLES, problemType } from '../../functions/shared/http/problem-types';
import { acknowledgeNagFinding } from './acknowledge-nag-finding';
import type { Platform } from './platform-stack';
import type { Stage } from './stage';

/**
 * The REST API's own resource, which the platform stack holds (see PlatformRestApi): what the API
 * stack builds the routes on, and what the functions that call the API build its address from.
 */
export interface RestApiReference {
  readonly restApiId: string;
  readonly rootResourceId: string;
  readonly restApiName: string;
}

export interface CommerceRestApiProps {
  readonly stage: Stage;
  readonly restApi: RestApiReference;
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

/** What the API's own resource is given: also in its deployment's logical id, so a change of them redeploys the stage. */
function restApiProperties(stage: Stage): CfnRestApiProps {
  return { name: `commerce-${stage.name}`, description: 'Commerce public API' };
}

/**
 * The REST API's own resource (AWS::ApiGateway::RestApi), alone: in the platform stack, deployed
 * before every context, so that a function of a context can be given the API's address at deploy
 * time (bindApiUrl) although the API stack, deployed last, routes to it. Everything else of the
 * API (routes, models, validators, gateway responses, deployment, stage) is CommerceRestApi's, in
 * the API stack: CDK's pattern for an API split across stacks (RestApi.fromRestApiAttributes).
 */
export class PlatformRestApi extends Construct implements RestApiReference {
  readonly restApiId: string;
  readonly rootResourceId: string;
  readonly restApiName: string;

  constructor(scope: Construct, id: string, stage: Stage) {
    super(scope, id);
    const properties = restApiProperties(stage);
    const api = new CfnRestApi(this, 'Resource', properties);
    this.restApiId = api.ref;
    this.rootResourceId = api.attrRootResourceId;
    this.restApiName = properties.name!;
    acknowledgeNagFinding(
      api,
      'AwsSolutions-APIG2',
      "Request validation is on: CommerceRestApi's BodyValidator (bodies and parameters) validates this API's routes; it lives in the API stack with the routes, and the rule looks for it in this stack only",
    );
  }
}

/**
 * The stage's base URL, `https://<api id>.execute-api.<region>.<url suffix>/<stage>` (no trailing
 * slash), from the API's id and the stage's name alone: a reference to the Stage would depend on
 * the Deployment, on every method and so on every function behind them (a cycle for the API
 * stack's own functions, and a stack deployed after the cart's for the cart's).
 */
export function apiBaseUrl(restApi: RestApiReference, stage: Stage): string {
  return `https://${restApi.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${stage.name}`;
}

/**
 * Gives `fn` the API stage's base URL (ENV.apiUrl) at deploy time, for calling the API's routes as
 * the caller: no grant goes with it, each route checks the caller's token itself.
 */
export function bindApiUrl(fn: LambdaFunction, platform: Pick<Platform, 'stage' | 'restApi'>): void {
  fn.addEnvironment(ENV.apiUrl, apiBaseUrl(platform.restApi, platform.stage));
}

/**
 * The public REST API (v1), on the platform's API resource: one stage named after the deployment
 * stage, throttled, JSON access logs, tracing, CORS preflight, bodies validated against models
 * generated from the zod contracts, and problem+json for errors the gateway itself produces.
 */
export class CommerceRestApi extends Construct {
  /** The platform's API, with this construct's stage as its deploymentStage (url, metrics, method ARNs). */
  readonly api: RestApiBase;
  private readonly deployment: Deployment;
  private readonly bodyValidator: RequestValidator;
  private readonly cors: CorsOptions;

  constructor(scope: Construct, id: string, props: CommerceRestApiProps) {
    super(scope, id);
    const { stage, restApi } = props;
    // An imported API is a RestApiBase (metrics, URLs, gateway responses); the interface type hides it.
    this.api = RestApi.fromRestApiAttributes(this, 'Api', restApi) as RestApiBase;
    this.deployment = this.latestDeployment(stage);
    this.api.deploymentStage = this.stageOf(stage);
    this.cors = {
      allowOrigins: [stage.allowedOrigin],
      allowMethods: Cors.ALL_METHODS,
      allowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key', 'X-Correlation-Id'],
      exposeHeaders: ['X-Correlation-Id', 'Location'],
    };
    this.api.root.addCorsPreflight(this.cors);
    const validation = { validateRequestBody: true, validateRequestParameters: true };
    this.bodyValidator = this.redeployedOnChange(new RequestValidator(this, 'BodyValidator', { restApi: this.api, ...validation }), { validator: validation });
    for (const problem of GATEWAY_PROBLEMS) {
      const template = problemTemplate(problem);
      this.api.addGatewayResponse(`Problem${problem.type.responseType}`, {
        type: problem.type,
        ...(problem.status === undefined ? {} : { statusCode: String(problem.status) }),
        responseHeaders: {
          'Access-Control-Allow-Origin': `'${stage.allowedOrigin}'`,
          'Content-Type': `'${PROBLEM}'`,
          // Every response carries X-Correlation-Id (api.md); here the id the body names, not the
          // client's header, which the gateway cannot check against the contract's pattern.
          'X-Correlation-Id': 'context.requestId',
          'Access-Control-Expose-Headers': "'X-Correlation-Id'",
        },
        templates: { [PROBLEM]: template, 'application/json': template },
      });
    }
    this.acknowledgeNagFindings(stage);
  }

  /**
   * The deployment, as RestApi makes its own. Every Method and GatewayResponse registers with its
   * API's latestDeployment (a dependency, and its properties in the deployment's logical id, so
   * that a change makes a new deployment); an imported API has none, so this one is made its latest,
   * before any route is added. (The API's own properties, models and validator: RestApi adds them
   * itself, here they are added explicitly, see redeployedOnChange.)
   */
  private latestDeployment(stage: Stage): Deployment {
    const restApi = restApiProperties(stage);
    const deployment = new Deployment(this, 'Deployment', { api: this.api, description: restApi.description });
    Object.defineProperty(this.api, 'latestDeployment', { value: deployment });
    deployment.addToLogicalId({ restApi });
    return deployment;
  }

  /** The stage, serving the deployment, as RestApi's deployOptions would make it. */
  private stageOf(stage: Stage): ApiStage {
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: stage.logRetention, removalPolicy: stage.removalPolicy });
    return new ApiStage(this, 'Stage', {
      deployment: this.deployment,
      stageName: stage.name,
      throttlingRateLimit: stage.apiThrottle.rateLimit,
      throttlingBurstLimit: stage.apiThrottle.burstLimit,
      accessLogDestination: new LogGroupLogDestination(accessLogs),
      accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
      tracingEnabled: true,
      metricsEnabled: true,
      loggingLevel: MethodLoggingLevel.OFF,
    });
  }

  /** What Model and RequestValidator do for a RestApi's own deployment only (not an imported API's). */
  private redeployedOnChange<T extends Construct>(part: T, properties: object): T {
    this.deployment.node.addDependency(part);
    this.deployment.addToLogicalId(properties);
    return part;
  }

  /** The resource of `path`, each one made with the CORS preflight (the imported root passes no defaults down). */
  private resourceFor(path: string): IResource {
    let resource: IResource = this.api.root;
    for (const part of path.split('/').filter(Boolean)) {
      resource = resource.getResource(part) ?? resource.addResource(part, { defaultCorsPreflightOptions: this.cors });
    }
    return resource;
  }

  /** Routes `route` to `fn` as a Lambda proxy integration, validating its body against the route's model. */
  addRoute(id: string, route: RouteContract, fn: IFunction): void {
    let requestModels: Record<string, Model> | undefined;
    if (route.body) {
      const properties = {
        contentType: 'application/json',
        modelName: `${pascal(id)}Request`,
        schema: toModelSchema(toJsonSchema(route.body, 'draft-04', 'input')),
      };
      const model = this.redeployedOnChange(new Model(this, `${pascal(id)}Model`, { restApi: this.api, ...properties }), { model: properties });
      requestModels = { 'application/json': model };
    }
    this.resourceFor(route.path).addMethod(route.method, new LambdaIntegration(fn, { allowTestInvoke: false }), {
      operationName: id,
      ...(requestModels ? { requestModels, requestValidator: this.bodyValidator } : {}),
    });
  }

  private acknowledgeNagFindings(stage: Stage): void {
    const authReason =
      'Access control is enforced in every function by the shared JWT middleware (public, user, admin per route); ' +
      'API Gateway authorizers and Cognito are not available on the LocalStack target this app also deploys to';
    acknowledgeNagFinding(this, 'AwsSolutions-APIG4', authReason);
    acknowledgeNagFinding(this, 'AwsSolutions-COG4', authReason);
    if (!stage.waf) {
      acknowledgeNagFinding(
        this,
        'AwsSolutions-APIG3',
        'This stage has no WAF web ACL (LocalStack, which deploys dev, has no WAF); prod has one (ApiWebAcl), and every stage is throttled',
      );
    }
    acknowledgeNagFinding(
      this,
      'AwsSolutions-APIG6',
      'JSON access logs are written for every request; execution logging needs the account-wide API Gateway CloudWatch role, which this app does not take over',
    );
  }
}
