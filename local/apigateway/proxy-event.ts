/**
 * The Lambda proxy integration of a REST API (payload format 1.0): the event API Gateway sends a
 * function, and the mapping of the function's result back to HTTP.
 */
import { randomFillSync } from 'node:crypto';

export interface ProxyEventIdentity {
  readonly accessKey: null;
  readonly accountId: null;
  readonly apiKey: null;
  readonly apiKeyId: null;
  readonly caller: null;
  readonly clientCert: null;
  readonly cognitoAuthenticationProvider: null;
  readonly cognitoAuthenticationType: null;
  readonly cognitoIdentityId: null;
  readonly cognitoIdentityPoolId: null;
  readonly principalOrgId: null;
  readonly sourceIp: string;
  readonly user: null;
  readonly userAgent: string | null;
  readonly userArn: null;
}

export interface ProxyEventRequestContext {
  readonly accountId: string;
  readonly apiId: string;
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly extendedRequestId: string;
  readonly requestTime: string;
  /** `/<stage><path>`. */
  readonly path: string;
  readonly protocol: string;
  readonly stage: string;
  readonly domainPrefix: string;
  readonly requestTimeEpoch: number;
  readonly requestId: string;
  readonly identity: ProxyEventIdentity;
  readonly domainName: string;
  readonly operationName?: string;
}

/** What `APIGatewayProxyEvent` of @types/aws-lambda describes, minus the authorizer. */
export interface ProxyEvent {
  readonly resource: string;
  readonly path: string;
  readonly httpMethod: string;
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters: Record<string, string[]> | null;
  readonly pathParameters: Record<string, string> | null;
  readonly stageVariables: Record<string, string> | null;
  readonly requestContext: ProxyEventRequestContext;
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

/** An HTTP request as the server received it. */
export interface IncomingProxyRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded. */
  readonly rawPath: string;
  /** The query string as sent, without `?`. */
  readonly rawQuery: string;
  /** Node's `rawHeaders`: name, value, name, value... with the names' case as sent. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly localPort: number;
}

/** What the gateway knows about the request besides the request itself. */
export interface ProxyEventContext {
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly stageVariables: Readonly<Record<string, string>> | null;
  readonly binaryMediaTypes: readonly string[];
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly requestTimeEpoch: number;
  readonly resourceId: string;
  readonly resourcePath: string;
  readonly pathParameters: Record<string, string> | null;
  readonly operationName?: string;
}

// ---------------------------------------------------------------- request side

export interface HeaderMaps {
  /** Last value per name; the name spelled as first sent. */
  readonly headers: Record<string, string>;
  readonly multiValueHeaders: Record<string, string[]>;
  /** Last value per lower-cased name, for lookups. */
  readonly lowerCase: Record<string, string>;
}

/** Groups repeated header lines the way API Gateway does (one value per line, not split on commas). */
export function headerMaps(rawHeaders: readonly string[]): HeaderMaps {
  const spelling = new Map<string, string>();
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const lowerCase: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    const key = name.toLowerCase();
    const spelled = spelling.get(key) ?? name;
    spelling.set(key, spelled);
    headers[spelled] = value;
    (multiValueHeaders[spelled] ??= []).push(value);
    lowerCase[key] = value;
  }
  return { headers, multiValueHeaders, lowerCase };
}

export interface QueryMaps {
  readonly queryStringParameters: Record<string, string> | null;
  readonly multiValueQueryStringParameters: Record<string, string[]> | null;
}

const NO_QUERY: QueryMaps = { queryStringParameters: null, multiValueQueryStringParameters: null };

/** URL-decoded query parameters; last value wins in the single-value map. Null when none. */
export function queryMaps(rawQuery: string): QueryMaps {
  if (rawQuery === '') return NO_QUERY;
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  if (Object.keys(single).length === 0) return { queryStringParameters: null, multiValueQueryStringParameters: null };
  return { queryStringParameters: single, multiValueQueryStringParameters: multi };
}

function mediaTypeOf(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function matchesMediaRange(type: string, range: string): boolean {
  const [rangeType, rangeSubtype] = range.toLowerCase().split('/');
  const [typeType, typeSubtype] = type.split('/');
  return (rangeType === '*' || rangeType === typeType) && (rangeSubtype === '*' || rangeSubtype === typeSubtype);
}

const TEXT_TYPE = /^(text\/.*|application\/(.*[+/])?(json|xml)|application\/(x-www-form-urlencoded|javascript|ecmascript|graphql|x-ndjson|yaml|x-yaml))$/;

/**
 * Whether a request body reaches the function base64-encoded. With binary media types declared
 * on the RestApi, exactly those are binary (as API Gateway decides). Without any, API Gateway
 * would pass every body as text and mangle binary ones; offline we keep them intact instead:
 * text types (and an untyped body that is valid UTF-8) go as text, everything else as base64.
 */
export function isBinaryBody(contentType: string | undefined, binaryMediaTypes: readonly string[], body: Buffer): boolean {
  const type = mediaTypeOf(contentType);
  if (binaryMediaTypes.length > 0) return type !== undefined && binaryMediaTypes.some((range) => matchesMediaRange(type, range));
  if (type !== undefined) return !TEXT_TYPE.test(type);
  return !isUtf8(body);
}

function isUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The last second formatted: every request of the same second has the same requestTime. */
let formatted = { second: NaN, text: '' };

/** `$context.requestTime`: `09/Apr/2015:12:34:56 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== formatted.second) formatted = { second, text: formatSecond(epochMs) };
  return formatted.text;
}

function formatSecond(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

const ID_BYTES = 10;
/** Random bytes for many ids, filled at once: a fill per request cost a synchronous crypto job each. */
const idPool = Buffer.alloc(ID_BYTES * 256);
let idPoolOffset = idPool.length;

/** `$context.extendedRequestId`: API Gateway's short base64 id, e.g. `Fz8kxGx1IAMF-0w=`. */
export function newExtendedRequestId(): string {
  if (idPoolOffset === idPool.length) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  const bytes = idPool.subarray(idPoolOffset, (idPoolOffset += ID_BYTES));
  return `${bytes.toString('base64').slice(0, 14).replace(/\//g, '-')}=`;
}

export function buildProxyEvent(request: IncomingProxyRequest, context: ProxyEventContext): ProxyEvent {
  const { headers, multiValueHeaders, lowerCase } = headerMaps(request.rawHeaders);
  // API Gateway adds the forwarding headers its own front end would.
  const forwarded: [string, string][] = [
    ['X-Forwarded-For', request.sourceIp],
    ['X-Forwarded-Port', String(request.localPort)],
    ['X-Forwarded-Proto', 'http'],
  ];
  for (const [name, value] of forwarded) {
    if (lowerCase[name.toLowerCase()] !== undefined) continue;
    headers[name] = value;
    multiValueHeaders[name] = [value];
  }
  const host = lowerCase['host'] ?? `127.0.0.1:${request.localPort}`;
  const domainName = host.replace(/:\d+$/, '');
  let body: string | null = null;
  let isBase64Encoded = false;
  if (request.body.length > 0) {
    isBase64Encoded = isBinaryBody(lowerCase['content-type'], context.binaryMediaTypes, request.body);
    body = request.body.toString(isBase64Encoded ? 'base64' : 'utf8');
  }
  return {
    resource: context.resourcePath,
    path: request.rawPath,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    ...queryMaps(request.rawQuery),
    pathParameters: context.pathParameters,
    stageVariables: context.stageVariables ? { ...context.stageVariables } : null,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      resourceId: context.resourceId,
      resourcePath: context.resourcePath,
      httpMethod: request.method,
      extendedRequestId: context.extendedRequestId,
      requestTime: formatRequestTime(context.requestTimeEpoch),
      path: `/${context.stage}${request.rawPath}`,
      protocol: 'HTTP/1.1',
      stage: context.stage,
      domainPrefix: domainName.split('.')[0]!,
      requestTimeEpoch: context.requestTimeEpoch,
      requestId: context.requestId,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: lowerCase['user-agent'] ?? null,
        userArn: null,
      },
      domainName,
      ...(context.operationName ? { operationName: context.operationName } : {}),
    },
    body,
    isBase64Encoded,
  };
}

// ---------------------------------------------------------------- response side

export interface ProxyResponse {
  readonly statusCode: number;
  /** Name → values; the names as the function spelled them. */
  readonly headers: Record<string, string[]>;
  readonly body: Buffer;
}

export type ParsedProxyResult = { readonly ok: true; readonly response: ProxyResponse } | { readonly ok: false; readonly reason: string };

// Connection-level headers a function cannot set on the client connection; API Gateway hands
// them over renamed rather than dropping them.
const REMAPPED = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-authenticate', 'te', 'trailer']);

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function malformed(reason: string): ParsedProxyResult {
  return { ok: false, reason: `Malformed Lambda proxy response: ${reason}` };
}

/**
 * Maps a function's result to HTTP, or explains why API Gateway would call it a malformed Lambda
 * proxy response (answered 502). `multiValueHeaders` win over `headers` for the same name.
 */
export function parseProxyResult(payload: unknown): ParsedProxyResult {
  if (!isRecord(payload)) return malformed(`expected an object, got ${payload === null ? 'null' : Array.isArray(payload) ? 'an array' : typeof payload}`);
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = payload;
  const status = typeof statusCode === 'number' ? statusCode : typeof statusCode === 'string' && /^\d+$/.test(statusCode) ? Number(statusCode) : NaN;
  if (!Number.isInteger(status) || status < 100 || status > 599) return malformed(`statusCode ${JSON.stringify(statusCode)} is not an HTTP status code`);
  if (body !== undefined && body !== null && typeof body !== 'string') return malformed(`body must be a string, got ${typeof body}`);
  if (isBase64Encoded !== undefined && isBase64Encoded !== null && typeof isBase64Encoded !== 'boolean') {
    return malformed('isBase64Encoded must be a boolean');
  }
  if (headers !== undefined && headers !== null && !isRecord(headers)) return malformed('headers must be an object');
  if (multiValueHeaders !== undefined && multiValueHeaders !== null && !isRecord(multiValueHeaders)) {
    return malformed('multiValueHeaders must be an object');
  }

  const merged = new Map<string, [string, string[]]>();
  for (const [name, value] of Object.entries(headers ?? {})) {
    const text = headerValue(value);
    if (text === undefined) {
      if (value === null) continue;
      return malformed(`header ${name} must be a string`);
    }
    merged.set(name.toLowerCase(), [name, [text]]);
  }
  for (const [name, values] of Object.entries(multiValueHeaders ?? {})) {
    if (values === null) continue;
    if (!Array.isArray(values)) return malformed(`multiValueHeaders.${name} must be an array`);
    const texts = values.map(headerValue);
    if (texts.some((t) => t === undefined)) return malformed(`multiValueHeaders.${name} must hold strings`);
    merged.set(name.toLowerCase(), [name, texts as string[]]);
  }

  const out: Record<string, string[]> = {};
  for (const [key, [name, values]] of merged) out[REMAPPED.has(key) ? `x-amzn-Remapped-${name}` : name] = values;
  // API Gateway labels an untyped proxy response as JSON.
  if (!merged.has('content-type')) out['Content-Type'] = ['application/json'];

  const text = typeof body === 'string' ? body : '';
  return {
    ok: true,
    response: { statusCode: status, headers: out, body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8') },
  };
}
