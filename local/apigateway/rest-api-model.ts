/**
 * The app's REST API (v1) as the local gateway serves it, built from the resolved
 * AWS::ApiGateway::* resources: the resource tree with its methods and integrations, the stage,
 * the gateway responses and the binary media types. Also the path matching API Gateway does.
 */
import { URL_SUFFIX } from '../cloudformation/assembly';
import type { LocalAssembly, LocalResource } from '../types';
import type { RequestModels } from './request-validation';
import type { MethodThrottleSetting } from './throttle';

/** `AWS_PROXY` to a Lambda function: the function ARN from the integration URI. */
export interface LambdaProxyIntegration {
  readonly kind: 'lambda-proxy';
  /** May hold `${stageVariables.x}` placeholders, substituted per request. */
  readonly functionArn: string;
}

/** `MOCK`: answered by the gateway from the default integration response. */
export interface MockIntegration {
  readonly kind: 'mock';
  readonly statusCode: number;
  /** `method.response.header.X` → mapping expression (`'static'`, `context.x`, ...). */
  readonly responseParameters: Readonly<Record<string, string>>;
  readonly responseTemplates: Readonly<Record<string, string>>;
}

/** Anything else (HTTP, HTTP_PROXY, AWS service integrations): not emulated. */
export interface UnsupportedIntegration {
  readonly kind: 'unsupported';
  readonly reason: string;
}

export type MethodIntegration = LambdaProxyIntegration | MockIntegration | UnsupportedIntegration;

export interface ApiMethod {
  readonly logicalId: string;
  /** Upper case, `ANY` included. */
  readonly httpMethod: string;
  readonly operationName?: string;
  readonly integration: MethodIntegration;
  /** The models its bodies are checked against, when its request validator validates bodies. */
  readonly bodyModels?: RequestModels;
}

export interface ApiResource {
  /** The resource id (`$context.resourceId`). */
  readonly id: string;
  /** `''` for the root, else e.g. `products`, `{productId}`, `{proxy+}`. */
  readonly pathPart: string;
  /** The template path, e.g. `/products/{productId}` (`/` for the root). */
  readonly path: string;
  readonly children: ApiResource[];
  readonly methods: Map<string, ApiMethod>;
}

export interface GatewayResponseDefinition {
  readonly responseType: string;
  readonly statusCode?: number;
  /** `gatewayresponse.header.X` → mapping expression. */
  readonly responseParameters: Readonly<Record<string, string>>;
  /** Content type → template. */
  readonly responseTemplates: Readonly<Record<string, string>>;
}

export interface StageModel {
  readonly name: string;
  /** Stage variables, null when the stage declares none (as in the proxy event). */
  readonly variables: Readonly<Record<string, string>> | null;
  readonly throttling: readonly MethodThrottleSetting[];
}

export interface RestApiModel {
  readonly apiId: string;
  readonly name: string;
  readonly root: ApiResource;
  readonly stage: StageModel;
  readonly binaryMediaTypes: readonly string[];
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseDefinition>;
}

const LAMBDA_INVOCATION_URI = /^arn:[^:]+:apigateway:[^:]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;

type Props = Readonly<Record<string, unknown>>;

function str(props: Props, key: string): string | undefined {
  const value = props[key];
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function describe(resource: LocalResource): string {
  return `${resource.stackName}/${resource.logicalId}`;
}

/** The one REST API of the app; a clear error when there is none or several. */
export function findRestApi(assembly: LocalAssembly): LocalResource {
  const apis = assembly.ofType('AWS::ApiGateway::RestApi');
  if (apis.length === 1) return apis[0]!;
  if (apis.length === 0) throw new Error('The app declares no AWS::ApiGateway::RestApi to serve');
  throw new Error(`The local gateway serves one REST API; the app declares ${apis.length}: ${apis.map(describe).join(', ')}`);
}

function integrationOf(method: LocalResource): MethodIntegration {
  const integration = record(method.properties['Integration']);
  const type = str(integration, 'Type');
  if (type === 'AWS_PROXY') {
    const uri = str(integration, 'Uri') ?? '';
    const functionArn = LAMBDA_INVOCATION_URI.exec(uri)?.[1];
    if (functionArn) return { kind: 'lambda-proxy', functionArn };
    return { kind: 'unsupported', reason: `AWS_PROXY integration with a non-Lambda URI ${uri}` };
  }
  if (type === 'MOCK') {
    const responses = Array.isArray(integration['IntegrationResponses']) ? integration['IntegrationResponses'].map(record) : [];
    // The request template picks a status; the response without a SelectionPattern is the
    // default one, which is what CORS preflight methods use.
    const chosen = responses.find((r) => !str(r, 'SelectionPattern')) ?? responses[0] ?? {};
    return {
      kind: 'mock',
      statusCode: num(chosen['StatusCode']) ?? 200,
      responseParameters: stringRecord(chosen['ResponseParameters']),
      responseTemplates: stringRecord(chosen['ResponseTemplates']),
    };
  }
  return { kind: 'unsupported', reason: `${type ?? 'missing'} integrations are not emulated` };
}

function schemaOf(model: LocalResource): object | undefined {
  const schema = model.properties['Schema'];
  if (typeof schema === 'string') return JSON.parse(schema) as object;
  return schema !== null && typeof schema === 'object' ? schema : undefined;
}

/** Method → the models of its body, for the methods whose validator validates bodies. */
function bodyModelsReader(assembly: LocalAssembly, api: LocalResource) {
  const ofApi = belongsTo(api);
  const validatesBodies = new Set(
    assembly.ofType('AWS::ApiGateway::RequestValidator').filter(ofApi)
      .filter((validator) => validator.properties['ValidateRequestBody'] === true || validator.properties['ValidateRequestBody'] === 'true')
      .map((validator) => validator.ref),
  );
  const schemas = new Map(assembly.ofType('AWS::ApiGateway::Model').filter(ofApi).map((model) => [model.ref, schemaOf(model)]));
  return (method: LocalResource): RequestModels | undefined => {
    if (!validatesBodies.has(str(method.properties, 'RequestValidatorId') ?? '')) return undefined;
    const models = Object.entries(stringRecord(method.properties['RequestModels']))
      .map(([contentType, name]) => [contentType, schemas.get(name)] as const)
      .filter((entry): entry is readonly [string, object] => entry[1] !== undefined);
    return models.length > 0 ? Object.fromEntries(models) : undefined;
  };
}

function belongsTo(api: LocalResource) {
  return (resource: LocalResource) => resource.properties['RestApiId'] === api.ref;
}

function buildTree(assembly: LocalAssembly, api: LocalResource): ApiResource {
  const ofApi = belongsTo(api);
  const declared = assembly.ofType('AWS::ApiGateway::Resource').filter(ofApi);
  const methods = assembly.ofType('AWS::ApiGateway::Method').filter(ofApi);
  const byId = new Map(declared.map((r) => [r.ref, r]));
  const bodyModelsOf = bodyModelsReader(assembly, api);

  // RootResourceId is an attribute of the RestApi the resolved assembly does not carry; it is
  // the one parent (or method resource) id that is not a declared resource.
  const rootIds = new Set<string>();
  for (const r of declared) {
    const parent = str(r.properties, 'ParentId');
    if (parent !== undefined && !byId.has(parent)) rootIds.add(parent);
  }
  for (const m of methods) {
    const id = str(m.properties, 'ResourceId');
    if (id !== undefined && !byId.has(id)) rootIds.add(id);
  }
  if (rootIds.size > 1) {
    throw new Error(`Resources of REST API ${describe(api)} hang from unknown parents: ${[...rootIds].join(', ')}`);
  }
  const root: ApiResource = { id: [...rootIds][0] ?? `${api.ref}-root`, pathPart: '', path: '/', children: [], methods: new Map() };
  const nodes = new Map<string, ApiResource>([[root.id, root]]);

  // Attach each resource once its parent is in the tree; bounded by the number of resources.
  const pending = [...declared];
  for (let round = 0; pending.length > 0 && round <= declared.length; round++) {
    for (let i = pending.length - 1; i >= 0; i--) {
      const r = pending[i]!;
      const parent = nodes.get(str(r.properties, 'ParentId') ?? '');
      if (!parent) continue;
      const pathPart = str(r.properties, 'PathPart') ?? '';
      const node: ApiResource = {
        id: r.ref,
        pathPart,
        path: parent.path === '/' ? `/${pathPart}` : `${parent.path}/${pathPart}`,
        children: [],
        methods: new Map(),
      };
      parent.children.push(node);
      nodes.set(node.id, node);
      pending.splice(i, 1);
    }
  }
  if (pending.length > 0) throw new Error(`Resources without a reachable parent: ${pending.map(describe).join(', ')}`);

  for (const m of methods) {
    const node = nodes.get(str(m.properties, 'ResourceId') ?? root.id);
    const httpMethod = (str(m.properties, 'HttpMethod') ?? '').toUpperCase();
    if (!node || !httpMethod) continue;
    const operationName = str(m.properties, 'OperationName');
    const bodyModels = bodyModelsOf(m);
    node.methods.set(httpMethod, {
      logicalId: m.logicalId,
      httpMethod,
      ...(operationName ? { operationName } : {}),
      integration: integrationOf(m),
      ...(bodyModels ? { bodyModels } : {}),
    });
  }
  return root;
}

/** `/~1products~1{productId}` → `/products/{productId}`; `/*` stays. */
function decodeSettingPath(resourcePath: string): string {
  if (resourcePath === '/*') return resourcePath;
  const decoded = resourcePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
  return decoded.startsWith('/') ? decoded : `/${decoded}`;
}

function throttleSettings(methodSettings: unknown, stageLevel?: Props): MethodThrottleSetting[] {
  const settings: MethodThrottleSetting[] = (Array.isArray(methodSettings) ? methodSettings.map(record) : []).map((s) => ({
    resourcePath: decodeSettingPath(str(s, 'ResourcePath') ?? '/*'),
    httpMethod: (str(s, 'HttpMethod') ?? '*').toUpperCase(),
    ...(num(s['ThrottlingRateLimit']) !== undefined ? { rateLimit: num(s['ThrottlingRateLimit']) } : {}),
    ...(num(s['ThrottlingBurstLimit']) !== undefined ? { burstLimit: num(s['ThrottlingBurstLimit']) } : {}),
  }));
  // A Deployment's StageDescription may also carry stage-wide limits outside MethodSettings.
  if (stageLevel) {
    const rateLimit = num(stageLevel['ThrottlingRateLimit']);
    const burstLimit = num(stageLevel['ThrottlingBurstLimit']);
    if (rateLimit !== undefined || burstLimit !== undefined) {
      settings.push({ resourcePath: '/*', httpMethod: '*', ...(rateLimit !== undefined ? { rateLimit } : {}), ...(burstLimit !== undefined ? { burstLimit } : {}) });
    }
  }
  return settings;
}

function variablesOf(value: unknown): Record<string, string> | null {
  const variables = stringRecord(value);
  return Object.keys(variables).length > 0 ? variables : null;
}

function stageOf(assembly: LocalAssembly, api: LocalResource): StageModel {
  const ofApi = belongsTo(api);
  const stages = assembly.ofType('AWS::ApiGateway::Stage').filter(ofApi);
  const stage = stages[0];
  if (stage) {
    return {
      name: str(stage.properties, 'StageName') ?? stage.ref,
      variables: variablesOf(stage.properties['Variables']),
      throttling: throttleSettings(stage.properties['MethodSettings']),
    };
  }
  // A Deployment with a StageName creates its stage itself.
  const deployment = assembly.ofType('AWS::ApiGateway::Deployment').filter(ofApi).find((d) => str(d.properties, 'StageName'));
  if (deployment) {
    const description = record(deployment.properties['StageDescription']);
    return {
      name: str(deployment.properties, 'StageName')!,
      variables: variablesOf(description['Variables']),
      throttling: throttleSettings(description['MethodSettings'], description),
    };
  }
  throw new Error(`REST API ${describe(api)} has no stage (no AWS::ApiGateway::Stage nor a Deployment with a StageName)`);
}

function gatewayResponsesOf(assembly: LocalAssembly, api: LocalResource): Map<string, GatewayResponseDefinition> {
  const responses = new Map<string, GatewayResponseDefinition>();
  for (const r of assembly.ofType('AWS::ApiGateway::GatewayResponse').filter(belongsTo(api))) {
    const responseType = str(r.properties, 'ResponseType');
    if (!responseType) continue;
    const statusCode = num(r.properties['StatusCode']);
    responses.set(responseType, {
      responseType,
      ...(statusCode !== undefined ? { statusCode } : {}),
      responseParameters: stringRecord(r.properties['ResponseParameters']),
      responseTemplates: stringRecord(r.properties['ResponseTemplates']),
    });
  }
  return responses;
}

/** Builds the model of the app's one REST API. Throws when the app's API cannot be served. */
export function buildRestApiModel(assembly: LocalAssembly): RestApiModel {
  const api = findRestApi(assembly);
  const binary = api.properties['BinaryMediaTypes'];
  return {
    apiId: api.ref,
    name: str(api.properties, 'Name') ?? api.logicalId,
    root: buildTree(assembly, api),
    stage: stageOf(assembly, api),
    binaryMediaTypes: Array.isArray(binary) ? binary.filter((t): t is string => typeof t === 'string') : [],
    gatewayResponses: gatewayResponsesOf(assembly, api),
  };
}

/**
 * The base URL the deployed stage has, `https://<api id>.execute-api.<region>.<suffix>/<stage>`:
 * what the resolved templates give functions that call this API, and what the local gateway
 * (serving the stage at its root) stands in for.
 */
export function executeApiUrl(model: RestApiModel, region: string): string {
  return `https://${model.apiId}.execute-api.${region}.${URL_SUFFIX}/${model.stage.name}`;
}

// ---------------------------------------------------------------- matching

export interface RouteMatch {
  readonly resource: ApiResource;
  /** URL-decoded; null when the resource has no path parameter. */
  readonly pathParameters: Record<string, string> | null;
}

const PARAM = /^\{([^{}+]+)\}$/;
const GREEDY = /^\{([^{}+]+)\+\}$/;

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A node's children sorted by how they match a segment, computed once per node (they never change once built). */
interface ChildKinds {
  readonly literal: readonly ApiResource[];
  readonly param: readonly { readonly child: ApiResource; readonly name: string }[];
  readonly greedy: readonly { readonly child: ApiResource; readonly name: string }[];
}

const childKinds = new WeakMap<ApiResource, ChildKinds>();

function kindsOf(node: ApiResource): ChildKinds {
  let kinds = childKinds.get(node);
  if (!kinds) {
    const named = (pattern: RegExp) => node.children.flatMap((child) => {
      const name = pattern.exec(child.pathPart)?.[1];
      return name === undefined ? [] : [{ child, name }];
    });
    const literal = node.children.filter((child) => !PARAM.test(child.pathPart) && !GREEDY.test(child.pathPart));
    kinds = { literal, param: named(PARAM), greedy: named(GREEDY) };
    childKinds.set(node, kinds);
  }
  return kinds;
}

function matchFrom(node: ApiResource, segments: readonly string[], index: number, params: Record<string, string>): RouteMatch | undefined {
  if (index === segments.length) {
    return { resource: node, pathParameters: Object.keys(params).length > 0 ? { ...params } : null };
  }
  const segment = segments[index]!;
  const decoded = decodeSegment(segment);
  const { literal, param, greedy } = kindsOf(node);
  // Literal segments win over {param}, which wins over the greedy {proxy+}; a dead end on the
  // more specific branch falls back to the next one.
  for (const child of literal) {
    if (child.pathPart !== decoded && child.pathPart !== segment) continue;
    const found = matchFrom(child, segments, index + 1, params);
    if (found) return found;
  }
  if (segment !== '') {
    for (const { child, name } of param) {
      const found = matchFrom(child, segments, index + 1, { ...params, [name]: decoded });
      if (found) return found;
    }
  }
  for (const { child, name } of greedy) {
    const rest = segments.slice(index);
    if (rest.every((s) => s === '')) continue;
    return { resource: child, pathParameters: { ...params, [name]: rest.map(decodeSegment).join('/') } };
  }
  return undefined;
}

/** The resource serving `rawPath` (the path as sent, still percent-encoded), if any. */
export function matchRoute(root: ApiResource, rawPath: string): RouteMatch | undefined {
  // A trailing slash names the same resource (`/products/` is `/products`).
  const trimmed = rawPath.replace(/^\/+/, '').replace(/\/$/, '');
  const segments = trimmed === '' ? [] : trimmed.split('/');
  return matchFrom(root, segments, 0, {});
}

/** The method answering `httpMethod` on `resource`: the method itself, else ANY. */
export function methodFor(resource: ApiResource, httpMethod: string): ApiMethod | undefined {
  return resource.methods.get(httpMethod.toUpperCase()) ?? resource.methods.get('ANY');
}

/** Every resource of the tree, depth first from the root. */
export function allResources(root: ApiResource): ApiResource[] {
  const out: ApiResource[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    stack.push(...[...node.children].reverse());
  }
  return out;
}
