/**
 * The local API Gateway: serves the app's REST API (v1) over HTTP at the root (no stage prefix;
 * the deployed API's base URL is `<invoke-url>/<stage>/`, offline it is `http://host:port/`),
 * invoking Lambda proxy integrations through the LambdaInvoker and answering MOCK ones (CORS
 * preflight) itself, after validating request bodies against their models as API Gateway does
 * (request-validation.ts).
 *
 * Not emulated: request parameter validation, authorizers, API keys and usage plans, non-Lambda integrations,
 * VTL beyond variable references, response compression, caching and access logs.
 */
import { listen } from '../http/listen';
import { isConsolePath } from '../console/console-http';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { InvokeResult, LambdaInvoker, LocalAssembly, LogSink, RunningService } from '../types';
import { GATEWAY_ERRORS, renderGatewayResponse, type GatewayError } from './gateway-responses';
import { evaluateMapping, renderTemplate, type MappingSources } from './mapping-expressions';
import {
  buildProxyEvent, formatRequestTime, headerMaps, newExtendedRequestId, parseProxyResult, queryMaps, type IncomingProxyRequest,
} from './proxy-event';
import {
  allResources, buildRestApiModel, executeApiUrl, matchRoute, methodFor, type ApiMethod, type MockIntegration, type RestApiModel, type RouteMatch,
} from './rest-api-model';
import { bodyValidationError } from './request-validation';
import { StageThrottle } from './throttle';

export interface ApiGatewayOptions {
  /** Defaults to a free port. */
  readonly port?: number;
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
  readonly log: LogSink;
  /** How long the gateway waits for a function before answering 504 (API Gateway: 29 s). */
  readonly integrationTimeoutMs?: number;
  /**
   * False lifts the stage's throttle settings (the account-level limits still apply), for load
   * tests: the dev stage's 50 req/s would make them mostly 429s.
   * @default true
   */
  readonly stageThrottle?: boolean;
  /**
   * The offline console (local/console), served at `/_console` beside the API: that exact path
   * only, so no stage path or route of the API reaches it; and told of every API request.
   */
  readonly console?: GatewayConsole;
}

export interface GatewayConsole {
  handle(req: IncomingMessage, res: ServerResponse): void;
  onRequest(request: { method: string; path: string; status: number; ms: number; correlationId?: string }): void;
}

export interface RunningApiGateway extends RunningService {
  /** The API's base URL, e.g. http://127.0.0.1:3000 (paths hang from it: `${url}/products`). */
  readonly url: string;
  readonly endpoint: string;
  /** The deployed stage's URL that `url` stands in for (see executeApiUrl). */
  readonly executeApiUrl: string;
}

/** REST API payload limit. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
/** Past this, a too-large body is no longer drained (so the client can read the 413) but cut off. */
const MAX_DRAINED_BYTES = 64 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 29_000;

interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

type BodyRead = { readonly tooLarge: false; readonly body: Buffer } | { readonly tooLarge: true };

/** Reads the body up to the limit; a larger one is drained (bounded) and reported too large. */
function readBody(req: IncomingMessage): Promise<BodyRead> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BODY_BYTES) chunks.push(chunk);
      else if (size > MAX_DRAINED_BYTES) {
        req.destroy();
        resolve({ tooLarge: true });
      }
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BODY_BYTES ? { tooLarge: true } : { tooLarge: false, body: Buffer.concat(chunks) }));
    req.on('error', reject);
  });
}

interface ConnectionAddresses {
  readonly sourceIp: string;
  readonly localPort: number;
}

/** Per connection: Node's address getters ask the kernel on every call, and a keep-alive connection carries many requests. */
const connections = new WeakMap<Socket, ConnectionAddresses>();

function addressesOf(req: IncomingMessage): ConnectionAddresses {
  let addresses = connections.get(req.socket);
  if (!addresses) {
    addresses = { sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''), localPort: req.socket.localPort ?? 0 };
    connections.set(req.socket, addresses);
  }
  return addresses;
}

/** Everything known about one request while it is being answered. */
interface RequestState {
  readonly request: IncomingProxyRequest;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly requestTimeEpoch: number;
  match?: RouteMatch;
  method?: ApiMethod;
}

class LocalApiGateway {
  private readonly throttle: StageThrottle;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly model: RestApiModel,
    private readonly assembly: LocalAssembly,
    private readonly lambda: LambdaInvoker,
    private readonly log: LogSink,
    private readonly integrationTimeoutMs: number,
    stageThrottle: boolean,
    private readonly console: GatewayConsole | undefined,
  ) {
    this.throttle = new StageThrottle(stageThrottle ? model.stage.throttling : []);
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const rawPath = (queryAt === -1 ? target : target.slice(0, queryAt)) || '/';
    const rawQuery = queryAt === -1 ? '' : target.slice(queryAt + 1).split('#')[0]!;
    const read = await readBody(req);
    const state: RequestState = {
      request: {
        method: (req.method ?? 'GET').toUpperCase(),
        rawPath,
        rawQuery,
        rawHeaders: req.rawHeaders,
        body: read.tooLarge ? Buffer.alloc(0) : read.body,
        ...addressesOf(req),
      },
      requestId: randomUUID(),
      extendedRequestId: newExtendedRequestId(),
      requestTimeEpoch: started,
    };
    let answer: HttpAnswer;
    try {
      answer = read.tooLarge ? this.gatewayError(state, GATEWAY_ERRORS.requestTooLarge) : await this.answer(state);
    } catch (error) {
      this.log(`${state.request.method} ${rawPath}: gateway failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      answer = this.gatewayError(state, GATEWAY_ERRORS.configurationError);
    }
    const status = this.send(res, state, answer);
    const ms = Date.now() - started;
    this.log(`${state.request.method} ${req.url ?? '/'} → ${answer.statusCode} in ${ms} ms`);
    if (status !== undefined) this.console?.onRequest({ method: req.method ?? 'GET', path: rawPath, status, ms, ...correlationOf(answer) });
  }

  private async answer(state: RequestState): Promise<HttpAnswer> {
    const { request } = state;
    const match = matchRoute(this.model.root, request.rawPath);
    const method = match ? methodFor(match.resource, request.method) : undefined;
    if (!match || !method) {
      if (!this.throttle.admit(undefined, request.method)) return this.gatewayError(state, GATEWAY_ERRORS.throttled);
      // API Gateway answers an unknown path and an unsupported method on a known path alike.
      return this.gatewayError(state, GATEWAY_ERRORS.missingAuthenticationToken);
    }
    state.match = match;
    state.method = method;
    if (!this.throttle.admit(match.resource.path, method.httpMethod)) return this.gatewayError(state, GATEWAY_ERRORS.throttled);
    if (method.bodyModels) {
      const invalidBody = bodyValidationError(method.bodyModels, headerMaps(request.rawHeaders).lowerCase['content-type'], request.body);
      if (invalidBody !== undefined) return this.gatewayError(state, GATEWAY_ERRORS.badRequestBody, invalidBody);
    }

    const { integration } = method;
    switch (integration.kind) {
      case 'mock':
        return this.mock(state, integration);
      case 'lambda-proxy':
        return this.invoke(state, this.substituteStageVariables(integration.functionArn));
      case 'unsupported':
        this.log(`${request.method} ${match.resource.path}: ${integration.reason} (method ${method.logicalId})`);
        return this.gatewayError(state, GATEWAY_ERRORS.configurationError);
    }
  }

  private substituteStageVariables(uri: string): string {
    const variables = this.model.stage.variables ?? {};
    return uri.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_m, name: string) => variables[name] ?? '');
  }

  private async invoke(state: RequestState, functionArn: string): Promise<HttpAnswer> {
    const { request, match, method } = state;
    const where = `${request.method} ${match!.resource.path}`;
    if (!this.lambda.has(functionArn)) {
      this.log(`${where}: no function ${functionArn} to invoke`);
      return this.gatewayError(state, GATEWAY_ERRORS.configurationError);
    }
    const event = buildProxyEvent(request, {
      accountId: this.assembly.accountId,
      apiId: this.model.apiId,
      stage: this.model.stage.name,
      stageVariables: this.model.stage.variables,
      binaryMediaTypes: this.model.binaryMediaTypes,
      requestId: state.requestId,
      extendedRequestId: state.extendedRequestId,
      requestTimeEpoch: state.requestTimeEpoch,
      resourceId: match!.resource.id,
      resourcePath: match!.resource.path,
      pathParameters: match!.pathParameters,
      ...(method!.operationName ? { operationName: method!.operationName } : {}),
    });

    let result: InvokeResult | 'timeout';
    try {
      result = await this.withIntegrationTimeout(this.lambda.invoke(functionArn, event));
    } catch (error) {
      this.log(`${where}: invoking ${functionArn} failed: ${error instanceof Error ? error.message : String(error)}`);
      return this.gatewayError(state, GATEWAY_ERRORS.integrationError);
    }
    if (result === 'timeout') {
      this.log(`${where}: ${functionArn} did not answer within ${this.integrationTimeoutMs} ms`);
      return this.gatewayError(state, GATEWAY_ERRORS.integrationTimeout);
    }
    if (!result.ok) {
      this.log(`${where}: function ${functionArn} failed: ${result.error.errorType}: ${result.error.errorMessage}`);
      return this.gatewayError(state, GATEWAY_ERRORS.integrationError);
    }
    const parsed = parseProxyResult(result.payload);
    if (!parsed.ok) {
      this.log(`${where}: ${functionArn}: ${parsed.reason}`);
      return this.gatewayError(state, GATEWAY_ERRORS.integrationError);
    }
    return parsed.response;
  }

  private withIntegrationTimeout<T>(pending: Promise<T>): Promise<T | 'timeout'> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve('timeout');
      }, this.integrationTimeoutMs);
      this.timers.add(timer);
      const done = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
      };
      pending.then(
        (value) => {
          done();
          resolve(value);
        },
        (error: unknown) => {
          done();
          reject(error);
        },
      );
    });
  }

  private mock(state: RequestState, integration: MockIntegration): HttpAnswer {
    const sources = this.sources(state);
    const headers: Record<string, string> = {};
    for (const [key, expression] of Object.entries(integration.responseParameters)) {
      const name = /^method\.response\.header\.(.+)$/.exec(key)?.[1];
      const value = name ? evaluateMapping(expression, sources) : undefined;
      if (name && value !== undefined) headers[name] = value;
    }
    const templates = Object.entries(integration.responseTemplates);
    const [contentType, template] = templates.find(([type]) => type.toLowerCase() === 'application/json') ?? templates[0] ?? ['application/json', ''];
    if (headerNamed(headers, 'content-type') === undefined) headers['Content-Type'] = contentType;
    return { statusCode: integration.statusCode, headers, body: Buffer.from(renderTemplate(template, sources), 'utf8') };
  }

  private gatewayError(state: RequestState, error: GatewayError, validationErrorString?: string): HttpAnswer {
    const answer = renderGatewayResponse(this.model.gatewayResponses, error, this.sources(state), validationErrorString);
    return { statusCode: answer.statusCode, headers: answer.headers, body: Buffer.from(answer.body, 'utf8') };
  }

  /** `$context` and the request's parameters, for gateway response and mock templates. */
  private sources(state: RequestState): MappingSources {
    const { request, match, method } = state;
    const headers = headerMaps(request.rawHeaders).lowerCase;
    const host = headers['host'] ?? '';
    const context: Record<string, string> = {
      accountId: this.assembly.accountId,
      apiId: this.model.apiId,
      domainName: host.replace(/:\d+$/, ''),
      extendedRequestId: state.extendedRequestId,
      httpMethod: request.method,
      'identity.sourceIp': request.sourceIp,
      'identity.userAgent': headers['user-agent'] ?? '',
      path: `/${this.model.stage.name}${request.rawPath}`,
      protocol: 'HTTP/1.1',
      requestId: state.requestId,
      requestTime: formatRequestTime(state.requestTimeEpoch),
      requestTimeEpoch: String(state.requestTimeEpoch),
      resourceId: match?.resource.id ?? '',
      resourcePath: match?.resource.path ?? '',
      stage: this.model.stage.name,
      ...(method?.operationName ? { operationName: method.operationName } : {}),
    };
    return {
      context,
      stageVariables: this.model.stage.variables,
      requestHeaders: headers,
      queryString: queryMaps(request.rawQuery).queryStringParameters ?? {},
      pathParameters: match?.pathParameters ?? {},
    };
  }

  /** Writes the answer; the status sent, or undefined when the client is gone. */
  private send(res: ServerResponse, state: RequestState, answer: HttpAnswer): number | undefined {
    if (res.headersSent || res.destroyed) return undefined;
    const headers: Record<string, string | string[]> = { ...answer.headers };
    if (headerNamed(headers, 'x-amzn-requestid') === undefined) headers['x-amzn-RequestId'] = state.requestId;
    if (headerNamed(headers, 'x-amz-apigw-id') === undefined) headers['x-amz-apigw-id'] = state.extendedRequestId;
    if (answer.statusCode !== 204 && answer.statusCode !== 304) headers['Content-Length'] = String(answer.body.length);
    try {
      res.writeHead(answer.statusCode, headers);
    } catch (error) {
      // A header the function set that HTTP cannot carry (e.g. a newline in a value).
      this.log(`${state.request.method} ${state.request.rawPath}: cannot send the response: ${error instanceof Error ? error.message : String(error)}`);
      const fallback = this.gatewayError(state, GATEWAY_ERRORS.integrationError);
      res.writeHead(fallback.statusCode, {
        ...fallback.headers, 'x-amzn-RequestId': state.requestId, 'Content-Length': String(fallback.body.length),
      });
      res.end(fallback.body);
      return fallback.statusCode;
    }
    res.end(answer.body);
    return answer.statusCode;
  }
}

/** The name a header has in `headers` (HTTP header names are case-insensitive), given in lower case; undefined when absent. */
function headerNamed(headers: Readonly<Record<string, unknown>>, lowerName: string): string | undefined {
  for (const name in headers) if (name.toLowerCase() === lowerName) return name;
  return undefined;
}

/** The correlation id the app put on its answer, for the console to trace the request by. */
function correlationOf(answer: HttpAnswer): { correlationId?: string } {
  const name = headerNamed(answer.headers, 'x-correlation-id');
  const value = name === undefined ? undefined : answer.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? { correlationId: first } : {};
}

/** One line for the API, and one per method the gateway will not be able to serve. */
function describeApi(model: RestApiModel, lambda: LambdaInvoker, url: string, log: LogSink): void {
  const resources = allResources(model.root);
  let methods = 0;
  for (const resource of resources) {
    for (const method of resource.methods.values()) {
      methods += 1;
      const { integration } = method;
      if (integration.kind === 'unsupported') log(`${method.httpMethod} ${resource.path}: ${integration.reason}; it answers 500`);
      else if (integration.kind === 'lambda-proxy' && !integration.functionArn.includes('${') && !lambda.has(integration.functionArn)) {
        log(`${method.httpMethod} ${resource.path}: no function ${integration.functionArn}; it answers 500`);
      }
    }
  }
  log(`REST API ${model.name} (stage ${model.stage.name}): ${methods} methods on ${resources.length} resources at ${url}/`);
}

/** Serves the app's one REST API until stop(). */
export async function startApiGateway(
  assembly: LocalAssembly,
  lambda: LambdaInvoker,
  options: ApiGatewayOptions,
): Promise<RunningApiGateway> {
  const model = buildRestApiModel(assembly);
  const gateway = new LocalApiGateway(model, assembly, lambda, options.log, options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS, options.stageThrottle ?? true, options.console);
  const server = createServer((req, res) => {
    if (options.console && isConsolePath(req.url)) return options.console.handle(req, res);
    gateway.handle(req, res).catch((error: unknown) => {
      // Only a broken client connection gets here (the body could not be read): nobody to answer.
      options.log(`${req.method ?? '?'} ${req.url ?? '/'}: request aborted: ${error instanceof Error ? error.message : String(error)}`);
      res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  const url = await listen(server, options.port, host);
  describeApi(model, lambda, url, options.log);

  let stopping: Promise<void> | undefined;
  return {
    url,
    endpoint: url,
    executeApiUrl: executeApiUrl(model, assembly.region),
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        gateway.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
