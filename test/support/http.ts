import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

export interface ApiRequest {
  method: string;
  /** The resource path as API Gateway reports it, e.g. /products/{productId}. */
  resource?: string;
  path: string;
  body?: unknown;
  /** A raw body string, sent as is (for malformed JSON). */
  rawBody?: string;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
}

/** A REST API (v1) Lambda proxy event, as API Gateway sends it. */
export function apiEvent(request: ApiRequest): APIGatewayProxyEvent {
  const body = request.rawBody ?? (request.body === undefined ? null : JSON.stringify(request.body));
  const headers = { ...(body ? { 'Content-Type': 'application/json' } : {}), ...request.headers };
  return {
    httpMethod: request.method,
    resource: request.resource ?? request.path,
    path: request.path,
    body,
    isBase64Encoded: false,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: request.pathParameters ?? null,
    queryStringParameters: request.query ?? null,
    multiValueQueryStringParameters: request.query
      ? Object.fromEntries(Object.entries(request.query).map(([k, v]) => [k, [v]]))
      : null,
    stageVariables: null,
    requestContext: { requestId: randomUUID(), stage: 'test' } as APIGatewayProxyEvent['requestContext'],
  };
}

export function lambdaContext(functionName = 'test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Invokes a handler the way Lambda does and decodes its JSON answer. */
export async function call<T = Record<string, unknown>>(handler: ProxyHandler, request: ApiRequest): Promise<ApiResponse<T>> {
  const result = await handler(apiEvent(request), lambdaContext());
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
  return { status: result.statusCode, headers, body: (result.body ? JSON.parse(result.body) : undefined) as T };
}
