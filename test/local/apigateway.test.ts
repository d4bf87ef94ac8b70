import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_PROBLEMS, problemTemplate } from '../../lib/platform/rest-api';
import { renderGatewayResponse } from '../../local/apigateway/gateway-responses';
import { buildRestApiModel, matchRoute } from '../../local/apigateway/rest-api-model';
import { startApiGateway, type RunningApiGateway } from '../../local/apigateway/server';
import { StageThrottle, TokenBucket } from '../../local/apigateway/throttle';
import type { InvokeResult, LambdaInvoker, LocalAssembly, LocalResource } from '../../local/types';
import { assemblyOf as localAssembly } from '../support/local-assembly';

// ---------------------------------------------------------------- fixture: a resolved REST API

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const API_ID = 'a1b2c3d4e5';
const ROOT_ID = 'r00tr00t01';
const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const FN = {
  list: fnArn('list-products'),
  create: fnArn('create-product'),
  product: fnArn('product'),
  search: fnArn('search-products'),
  files: fnArn('files'),
  limited: fnArn('limited'),
  validated: fnArn('validated'),
};

function resource(logicalId: string, type: string, ref: string, properties: Record<string, unknown>): LocalResource {
  return { stackName: 'test-api', logicalId, type, ref, properties, metadata: {} };
}

const apiResource = (logicalId: string, ref: string, parentId: string, pathPart: string) =>
  resource(logicalId, 'AWS::ApiGateway::Resource', ref, { RestApiId: API_ID, ParentId: parentId, PathPart: pathPart });

function proxyMethod(logicalId: string, resourceId: string, httpMethod: string, functionArn: string): LocalResource {
  return resource(logicalId, 'AWS::ApiGateway::Method', `m-${logicalId}`, {
    RestApiId: API_ID,
    ResourceId: resourceId,
    HttpMethod: httpMethod,
    AuthorizationType: 'NONE',
    OperationName: logicalId,
    Integration: {
      Type: 'AWS_PROXY',
      IntegrationHttpMethod: 'POST',
      Uri: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${functionArn}/invocations`,
    },
  });
}

/** What CDK's defaultCorsPreflightOptions generates. */
function corsMethod(logicalId: string, resourceId: string): LocalResource {
  return resource(logicalId, 'AWS::ApiGateway::Method', `m-${logicalId}`, {
    RestApiId: API_ID,
    ResourceId: resourceId,
    HttpMethod: 'OPTIONS',
    AuthorizationType: 'NONE',
    Integration: {
      Type: 'MOCK',
      RequestTemplates: { 'application/json': '{ statusCode: 200 }' },
      IntegrationResponses: [
        {
          StatusCode: '204',
          ResponseParameters: {
            'method.response.header.Access-Control-Allow-Headers': "'Content-Type,Authorization'",
            'method.response.header.Access-Control-Allow-Origin': "'*'",
            'method.response.header.Access-Control-Allow-Methods': "'OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD'",
          },
        },
      ],
    },
    MethodResponses: [{ StatusCode: '204' }],
  });
}

/** The app's own problem+json gateway responses, as lib/platform/rest-api.ts synthesizes them. */
function problemResponse(type: string): LocalResource {
  const problem = GATEWAY_PROBLEMS.find((candidate) => candidate.type.responseType === type)!;
  const template = problemTemplate(problem);
  return resource(`Problem${type}`, 'AWS::ApiGateway::GatewayResponse', `gr-${type}`, {
    RestApiId: API_ID,
    ResponseType: type,
    ...(problem.status === undefined ? {} : { StatusCode: String(problem.status) }),
    ResponseParameters: {
      'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
      'gatewayresponse.header.Content-Type': "'application/problem+json'",
    },
    ResponseTemplates: { 'application/problem+json': template, 'application/json': template },
  });
}

/** A method whose validator checks bodies against a draft-04 model, as lib/platform/rest-api.ts declares them. */
function validatedMethod(): LocalResource[] {
  const schema = {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    properties: { name: { type: 'string', minLength: 1 }, quantity: { type: 'integer', minimum: 1 } },
    required: ['name'],
    additionalProperties: false,
  };
  return [
    apiResource('Orders', 'res007', ROOT_ID, 'orders'),
    resource('BodyValidator', 'AWS::ApiGateway::RequestValidator', 'rv001', { RestApiId: API_ID, ValidateRequestBody: true }),
    resource('OrderModel', 'AWS::ApiGateway::Model', 'OrderModel', { RestApiId: API_ID, ContentType: 'application/json', Schema: schema }),
    {
      ...proxyMethod('placeOrder', 'res007', 'POST', FN.validated),
      properties: {
        ...proxyMethod('placeOrder', 'res007', 'POST', FN.validated).properties,
        RequestValidatorId: 'rv001',
        RequestModels: { 'application/json': 'OrderModel' },
      },
    },
  ];
}

const GATEWAY_RESPONSES = ['BAD_REQUEST_BODY', 'MISSING_AUTHENTICATION_TOKEN', 'REQUEST_TOO_LARGE', 'THROTTLED', 'DEFAULT_4XX', 'DEFAULT_5XX'].map(problemResponse);

/** `stageBurst`: stage default burst with a negligible refill rate (else 1000 rps, burst 1000). */
function fixtureResources(options: { gatewayResponses: boolean; stageBurst?: number }): LocalResource[] {
  return [
    resource('Api', 'AWS::ApiGateway::RestApi', API_ID, { Name: 'test-api' }),
    apiResource('Products', 'res001', ROOT_ID, 'products'),
    apiResource('ProductId', 'res002', 'res001', '{productId}'),
    apiResource('Search', 'res003', 'res001', 'search'),
    apiResource('Files', 'res004', ROOT_ID, 'files'),
    apiResource('FilesProxy', 'res005', 'res004', '{proxy+}'),
    apiResource('Limited', 'res006', ROOT_ID, 'limited'),
    proxyMethod('listProducts', 'res001', 'GET', FN.list),
    proxyMethod('createProduct', 'res001', 'POST', FN.create),
    proxyMethod('getProduct', 'res002', 'GET', FN.product),
    proxyMethod('updateProduct', 'res002', 'PATCH', FN.product),
    proxyMethod('archiveProduct', 'res002', 'DELETE', FN.product),
    proxyMethod('searchProducts', 'res003', 'GET', FN.search),
    proxyMethod('files', 'res005', 'ANY', FN.files),
    proxyMethod('limited', 'res006', 'GET', FN.limited),
    ...validatedMethod(),
    corsMethod('rootOptions', ROOT_ID),
    corsMethod('productsOptions', 'res001'),
    corsMethod('productIdOptions', 'res002'),
    resource('Deployment', 'AWS::ApiGateway::Deployment', 'dep001', { RestApiId: API_ID }),
    resource('Stage', 'AWS::ApiGateway::Stage', 'dev', {
      RestApiId: API_ID,
      DeploymentId: 'dep001',
      StageName: 'dev',
      MethodSettings: [
        {
          HttpMethod: '*', ResourcePath: '/*', ThrottlingBurstLimit: options.stageBurst ?? 1000,
          ThrottlingRateLimit: options.stageBurst === undefined ? 1000 : 0.01,
        },
        // A method-level override: two requests, then one every 100 s.
        { HttpMethod: 'GET', ResourcePath: '/~1limited', ThrottlingBurstLimit: 2, ThrottlingRateLimit: 0.01 },
      ],
    }),
    ...(options.gatewayResponses ? GATEWAY_RESPONSES : []),
  ];
}

function assemblyOf(resources: readonly LocalResource[]): LocalAssembly {
  return localAssembly(resources, { region: REGION, accountId: ACCOUNT, directory: '/nonexistent/cdk.out' });
}

// ---------------------------------------------------------------- fake Lambda

type Handler = (event: ProxyEventShape) => InvokeResult | Promise<InvokeResult>;

/** The event fields the tests look at. */
interface ProxyEventShape {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  requestContext: {
    accountId: string;
    apiId: string;
    resourceId: string;
    resourcePath: string;
    httpMethod: string;
    path: string;
    stage: string;
    requestId: string;
    extendedRequestId: string;
    requestTime: string;
    requestTimeEpoch: number;
    protocol: string;
    operationName?: string;
    identity: { sourceIp: string; userAgent: string | null; user: null };
  };
  body: string | null;
  isBase64Encoded: boolean;
}

class FakeLambda implements LambdaInvoker {
  readonly calls: { fn: string; event: ProxyEventShape }[] = [];
  readonly handlers = new Map<string, Handler>();

  has(fn: string): boolean {
    return Object.values(FN).includes(fn);
  }

  async invoke(fn: string, payload: unknown): Promise<InvokeResult> {
    const event = payload as ProxyEventShape;
    this.calls.push({ fn, event });
    const handler = this.handlers.get(fn);
    if (handler) return handler(event);
    return { ok: true, payload: { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ fn }) } };
  }

  invokeAsync(): void {
    throw new Error('the gateway invokes synchronously');
  }

  lastEvent(): ProxyEventShape {
    const last = this.calls.at(-1);
    if (!last) throw new Error('no invocation');
    return last.event;
  }

  reset(): void {
    this.calls.length = 0;
    this.handlers.clear();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------- the gateway with the app's gateway responses

describe('local API Gateway (REST v1)', () => {
  const lambda = new FakeLambda();
  const logs: string[] = [];
  let gateway: RunningApiGateway;

  beforeAll(async () => {
    gateway = await startApiGateway(assemblyOf(fixtureResources({ gatewayResponses: true })), lambda, { log: (line) => logs.push(line) });
  });
  afterAll(() => gateway.stop());
  afterEach(() => {
    lambda.reset();
    logs.length = 0;
  });

  it('listens on 127.0.0.1 and serves the API at the root, without a stage prefix', async () => {
    expect(gateway.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gateway.endpoint).toBe(gateway.url);
    expect((await fetch(`${gateway.url}/products`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/dev/products`)).status).toBe(404);
  });

  it('maps the request to a v1 proxy event', async () => {
    const response = await fetch(`${gateway.url}/products/abc%20123?tag=a&tag=b&q=caf%C3%A9`, {
      headers: { 'X-Correlation-Id': 'corr-1', 'User-Agent': 'vitest-agent' },
    });
    expect(response.status).toBe(200);
    expect(lambda.calls).toHaveLength(1);
    expect(lambda.calls[0]!.fn).toBe(FN.product);
    const event = lambda.lastEvent();
    expect(event).toMatchObject({
      resource: '/products/{productId}',
      path: '/products/abc%20123',
      httpMethod: 'GET',
      pathParameters: { productId: 'abc 123' },
      queryStringParameters: { tag: 'b', q: 'café' },
      multiValueQueryStringParameters: { tag: ['a', 'b'], q: ['café'] },
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
    });
    const name = Object.keys(event.headers).find((h) => h.toLowerCase() === 'x-correlation-id')!;
    expect(event.headers[name]).toBe('corr-1');
    expect(event.multiValueHeaders[name]).toEqual(['corr-1']);
    expect(event.requestContext).toMatchObject({
      accountId: ACCOUNT,
      apiId: API_ID,
      resourceId: 'res002',
      resourcePath: '/products/{productId}',
      httpMethod: 'GET',
      path: '/dev/products/abc%20123',
      stage: 'dev',
      protocol: 'HTTP/1.1',
      operationName: 'getProduct',
      identity: { sourceIp: '127.0.0.1', userAgent: 'vitest-agent', user: null },
    });
    expect(event.requestContext.requestId).toMatch(UUID);
    expect(response.headers.get('x-amzn-requestid')).toBe(event.requestContext.requestId);
    expect(event.requestContext.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(10_000);
  });

  it('gives each request its own requestId', async () => {
    await fetch(`${gateway.url}/products`);
    await fetch(`${gateway.url}/products`);
    const [first, second] = lambda.calls.map((c) => c.event.requestContext.requestId);
    expect(first).not.toBe(second);
  });

  it('passes null query parameters and null path parameters when there are none', async () => {
    await fetch(`${gateway.url}/products`);
    expect(lambda.lastEvent()).toMatchObject({
      resource: '/products',
      pathParameters: null,
      queryStringParameters: null,
      multiValueQueryStringParameters: null,
    });
  });

  it('keeps repeated header lines apart: last value in headers, all in multiValueHeaders, names as sent', async () => {
    const port = Number(new URL(gateway.url).port);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/products', method: 'GET', headers: { 'X-Multi': ['one', 'two'], 'X-Spelled-Like-This': 'v' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
    const event = lambda.lastEvent();
    expect(event.headers['X-Multi']).toBe('two');
    expect(event.multiValueHeaders['X-Multi']).toEqual(['one', 'two']);
    expect(event.headers['X-Spelled-Like-This']).toBe('v');
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.headers['X-Forwarded-Proto']).toBe('http');
  });

  it('passes a text body as is and a binary body base64-encoded', async () => {
    await fetch(`${gateway.url}/products`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Caffè' }),
    });
    expect(lambda.lastEvent()).toMatchObject({ httpMethod: 'POST', body: '{"name":"Caffè"}', isBase64Encoded: false });

    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);
    await fetch(`${gateway.url}/products`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    const event = lambda.lastEvent();
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64')).toEqual(bytes);
  });

  it('routes PATCH and DELETE on the path-parameter resource', async () => {
    expect((await fetch(`${gateway.url}/products/p1`, { method: 'PATCH', body: '{}' })).status).toBe(200);
    expect((await fetch(`${gateway.url}/products/p2`, { method: 'DELETE' })).status).toBe(200);
    expect(lambda.calls.map((c) => [c.fn, c.event.httpMethod, c.event.pathParameters])).toEqual([
      [FN.product, 'PATCH', { productId: 'p1' }],
      [FN.product, 'DELETE', { productId: 'p2' }],
    ]);
  });

  it('prefers a literal segment over {param}, and matches {proxy+} greedily for ANY method', async () => {
    await fetch(`${gateway.url}/products/search`);
    expect(lambda.calls[0]).toMatchObject({ fn: FN.search, event: { resource: '/products/search', pathParameters: null } });
    await fetch(`${gateway.url}/files/a/b/c%20d.txt`, { method: 'PUT', body: 'x' });
    expect(lambda.calls[1]).toMatchObject({
      fn: FN.files,
      event: { resource: '/files/{proxy+}', httpMethod: 'PUT', pathParameters: { proxy: 'a/b/c d.txt' } },
    });
  });

  it("maps the function's status, headers, multiValueHeaders and body", async () => {
    lambda.handlers.set(FN.create, () => ({
      ok: true,
      payload: {
        statusCode: 201,
        headers: { 'Content-Type': 'text/plain', Location: '/products/p9', 'X-Only-Single': 'single' },
        multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'], 'X-Only-Single': ['multi-wins'] },
        body: 'created',
        isBase64Encoded: false,
      },
    }));
    const response = await fetch(`${gateway.url}/products`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(response.headers.get('location')).toBe('/products/p9');
    expect(response.headers.get('x-only-single')).toBe('multi-wins');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.text()).toBe('created');
  });

  it('decodes a base64 response body and labels an untyped response as JSON', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    lambda.handlers.set(FN.list, () => ({ ok: true, payload: { statusCode: 200, body: bytes.toString('base64'), isBase64Encoded: true } }));
    const response = await fetch(`${gateway.url}/products`);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('answers an unknown path with MISSING_AUTHENTICATION_TOKEN, here the app’s 404 problem+json', async () => {
    const response = await fetch(`${gateway.url}/nowhere/at/all`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const requestId = response.headers.get('x-amzn-requestid');
    expect(requestId).toMatch(UUID);
    expect(await response.json()).toEqual({
      type: 'https://commerce.dev/problems/not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No route matches this method and path.',
      correlationId: requestId,
    });
    expect(lambda.calls).toHaveLength(0);
  });

  it('answers a method the resource does not have the same way (API Gateway does not say 405)', async () => {
    const response = await fetch(`${gateway.url}/products`, { method: 'PUT', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ title: 'Not Found', detail: 'No route matches this method and path.' });
    expect(lambda.calls).toHaveLength(0);
  });

  it('answers CORS preflight from the MOCK integration response', async () => {
    const response = await fetch(`${gateway.url}/products/p1`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'PATCH' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD');
    expect(response.headers.get('access-control-allow-headers')).toBe('Content-Type,Authorization');
    expect(await response.text()).toBe('');
    expect(lambda.calls).toHaveLength(0);
  });

  it('answers OPTIONS on a resource without a preflight method with MISSING_AUTHENTICATION_TOKEN', async () => {
    expect((await fetch(`${gateway.url}/products/search`, { method: 'OPTIONS' })).status).toBe(404);
  });

  it('answers 502 from DEFAULT_5XX when the function fails, and logs its error', async () => {
    lambda.handlers.set(FN.product, () => ({ ok: false, error: { errorType: 'TypeError', errorMessage: 'boom is not a function' } }));
    const response = await fetch(`${gateway.url}/products/p1`);
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ title: 'Bad Gateway', status: 502, detail: 'Internal server error' });
    expect(logs.some((line) => line.includes('TypeError') && line.includes('boom is not a function'))).toBe(true);
  });

  it.each([
    ['a body that is not a string', { statusCode: 200, body: { not: 'a string' } }],
    ['no statusCode', { body: 'x' }],
    ['a null result', null],
    ['a non-string header', { statusCode: 200, headers: { 'X-Bad': { nested: true } } }],
  ])('answers 502 for a malformed proxy result: %s', async (_name, payload) => {
    lambda.handlers.set(FN.list, () => ({ ok: true, payload }));
    const response = await fetch(`${gateway.url}/products`);
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ detail: 'Internal server error' });
    expect(logs.some((line) => line.includes('Malformed Lambda proxy response'))).toBe(true);
  });

  it('answers 502 when a header value cannot be sent over HTTP', async () => {
    lambda.handlers.set(FN.list, () => ({ ok: true, payload: { statusCode: 200, headers: { 'X-Bad': 'line\nbreak' }, body: 'x' } }));
    const response = await fetch(`${gateway.url}/products`);
    expect(response.status).toBe(502);
  });

  it('throttles a method once its burst is spent (429 THROTTLED), other methods unaffected', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${gateway.url}/limited`)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const throttled = await fetch(`${gateway.url}/limited`);
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toMatchObject({ title: 'Too Many Requests', status: 429, detail: 'Too Many Requests' });
    expect((await fetch(`${gateway.url}/products`)).status).toBe(200);
    expect(lambda.calls.filter((c) => c.fn === FN.limited)).toHaveLength(2);
  });

  it('answers 413 REQUEST_TOO_LARGE for a body over 10 MB without invoking the function', async () => {
    const response = await fetch(`${gateway.url}/products`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ title: 'Content Too Large', detail: 'Request Too Long' });
    expect(lambda.calls).toHaveLength(0);
  });

  it('validates a body against its model before the function: BAD_REQUEST_BODY, here the app’s 400 problem+json', async () => {
    const post = (body: string, contentType?: string) =>
      fetch(`${gateway.url}/orders`, { method: 'POST', headers: contentType ? { 'Content-Type': contentType } : {}, body });
    for (const [body, contentType] of [
      ['{"quantity":0}', 'application/json'],
      ['{"name":"a","extra":true}', 'application/json; charset=utf-8'],
      ['{"name":', 'application/json'],
      ['{"name":5}', 'application/json'],
      ['', 'application/json'],
    ] as const) {
      const response = await post(body, contentType);
      expect(response.status, body).toBe(400);
      expect(await response.json()).toMatchObject({ status: 400, detail: 'Invalid request body', errors: [{ path: 'body', message: 'Invalid request body' }] });
    }
    // Without a Content-Type the body is taken as JSON (fetch would add text/plain, so plain HTTP here).
    const port = Number(new URL(gateway.url).port);
    const untyped = await new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/orders', method: 'POST' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end('{"name":5}');
    });
    expect(untyped).toBe(400);
    expect(lambda.calls).toHaveLength(0);

    expect((await post('{"name":"a","quantity":2}', 'application/json')).status).toBe(200);
    // No model for this content type: API Gateway passes the body through to the function.
    expect((await post('not json', 'text/plain')).status).toBe(200);
    expect(lambda.calls.map((call) => call.fn)).toEqual([FN.validated, FN.validated]);
  });

  it('logs one line per request', async () => {
    await fetch(`${gateway.url}/products?x=1`);
    await fetch(`${gateway.url}/missing`);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(/^GET \/products\?x=1 → 200 in \d+ ms$/);
    expect(logs[1]).toMatch(/^GET \/missing → 404 in \d+ ms$/);
  });
});

describe('local API Gateway with the offline console', () => {
  const lambda = new FakeLambda();
  const requests: unknown[] = [];
  let gateway: RunningApiGateway;

  beforeAll(async () => {
    const console = {
      handle: (_req: unknown, res: { writeHead(status: number): void; end(body: string): void }) => {
        res.writeHead(200);
        res.end('console');
      },
      onRequest: (request: unknown) => void requests.push(request),
    };
    gateway = await startApiGateway(assemblyOf(fixtureResources({ gatewayResponses: true })), lambda, { log: () => {}, console });
  });
  afterAll(() => gateway.stop());

  it('tells the console of each API request once answered, with the correlation id the function answered with; not of its own', async () => {
    lambda.handlers.set(FN.product, () => ({ ok: true, payload: { statusCode: 201, multiValueHeaders: { 'X-Correlation-ID': ['corr-9'] }, body: '{}' } }));
    await (await fetch(`${gateway.url}/products/p1?x=1`)).text();
    await (await fetch(`${gateway.url}/missing`)).text();
    await (await fetch(`${gateway.url}/_console`)).text();
    expect(requests).toEqual([
      { method: 'GET', path: '/products/p1', status: 201, ms: expect.any(Number), correlationId: 'corr-9' },
      { method: 'GET', path: '/missing', status: 404, ms: expect.any(Number) },
    ]);
  });
});

// ---------------------------------------------------------------- API Gateway's own defaults

describe('local API Gateway without GatewayResponse resources', () => {
  const lambda = new FakeLambda();
  let gateway: RunningApiGateway;

  beforeAll(async () => {
    gateway = await startApiGateway(assemblyOf(fixtureResources({ gatewayResponses: false, stageBurst: 3 })), lambda, {
      log: () => {},
      integrationTimeoutMs: 200,
    });
  });
  afterAll(() => gateway.stop());
  afterEach(() => lambda.reset());

  it('answers 403 {"message":"Missing Authentication Token"} for an unknown path or method', async () => {
    for (const [method, path] of [['GET', '/nowhere'], ['POST', '/products/p1']] as const) {
      const response = await fetch(`${gateway.url}${path}`, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    }
  });

  it('answers 502 {"message":"Internal server error"} when the function fails', async () => {
    lambda.handlers.set(FN.list, () => ({ ok: false, error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds' } }));
    const response = await fetch(`${gateway.url}/products`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });

  it('answers 504 when the function does not answer within the integration timeout', async () => {
    let release: (() => void) | undefined;
    lambda.handlers.set(FN.list, () => new Promise<InvokeResult>((resolve) => {
      release = () => resolve({ ok: true, payload: { statusCode: 200, body: 'late' } });
    }));
    const response = await fetch(`${gateway.url}/products`);
    release?.();
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  it('throttles at the stage default burst, per method', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await fetch(`${gateway.url}/products/search`)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const throttled = await fetch(`${gateway.url}/products/search`);
    expect(await throttled.json()).toEqual({ message: 'Too Many Requests' });
  });

  it('lifts the stage throttle with stageThrottle: false (npm start -- --no-throttle)', async () => {
    const unthrottled = await startApiGateway(assemblyOf(fixtureResources({ gatewayResponses: false, stageBurst: 3 })), lambda, {
      log: () => {},
      stageThrottle: false,
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await fetch(`${unthrottled.url}/products/search`)).status);
      expect(statuses).toEqual(Array(10).fill(200));
    } finally {
      await unthrottled.stop();
    }
  });
});

// ---------------------------------------------------------------- lifecycle

describe('stop()', () => {
  it('closes the server and its open keep-alive connections', async () => {
    const gateway = await startApiGateway(assemblyOf(fixtureResources({ gatewayResponses: true })), new FakeLambda(), { log: () => {} });
    const response = await fetch(`${gateway.url}/products`, { headers: { Connection: 'keep-alive' } });
    await response.text();
    const started = Date.now();
    await gateway.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(`${gateway.url}/products`)).rejects.toThrow();
    await gateway.stop();
  });

  it('does not wait for a client that is still sending its request', async () => {
    const gateway = await startApiGateway(assemblyOf(fixtureResources({ gatewayResponses: true })), new FakeLambda(), { log: () => {} });
    const { port } = new URL(gateway.url);
    const socket = connect(Number(port), '127.0.0.1');
    await once(socket, 'connect');
    // Headers never finished: server.close() alone would wait for them (up to headersTimeout, 60 s).
    socket.write('GET /products HTTP/1.1\r\nHost: localhost\r\n');
    const closed = once(socket, 'close');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const outcome = await Promise.race([gateway.stop().then(() => 'stopped'), new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting'))]);
    expect(outcome).toBe('stopped');
    await closed;
  });

  it('fails to start when the port is taken', async () => {
    const first = await startApiGateway(assemblyOf(fixtureResources({ gatewayResponses: true })), new FakeLambda(), { log: () => {} });
    const port = Number(new URL(first.url).port);
    await expect(
      startApiGateway(assemblyOf(fixtureResources({ gatewayResponses: true })), new FakeLambda(), { log: () => {}, port }),
    ).rejects.toThrow(/EADDRINUSE/);
    await first.stop();
  });
});

// ---------------------------------------------------------------- model and building blocks

describe('REST API model', () => {
  const model = buildRestApiModel(assemblyOf(fixtureResources({ gatewayResponses: true })));

  it('builds the resource tree from ParentId links, with the root found from the unknown parent id', () => {
    expect(model.apiId).toBe(API_ID);
    expect(model.root.id).toBe(ROOT_ID);
    expect(model.stage).toMatchObject({ name: 'dev', variables: null });
    expect(matchRoute(model.root, '/products/x')?.resource.path).toBe('/products/{productId}');
    expect(matchRoute(model.root, '/products/')?.resource.path).toBe('/products');
    expect(matchRoute(model.root, '/')?.resource.id).toBe(ROOT_ID);
    expect(matchRoute(model.root, '/files')?.resource.path).toBe('/files');
    expect(matchRoute(model.root, '/products/x/y')).toBeUndefined();
  });

  it('rejects an app without a REST API', () => {
    expect(() => buildRestApiModel(assemblyOf([]))).toThrow(/no AWS::ApiGateway::RestApi/);
  });

  it('applies a DEFAULT_4XX status to 4XX types the app does not define', () => {
    const answer = renderGatewayResponse(
      new Map([['DEFAULT_4XX', { responseType: 'DEFAULT_4XX', statusCode: 400, responseParameters: {}, responseTemplates: {} }]]),
      { type: 'THROTTLED', status: 429, message: 'Too Many Requests' },
      { context: { requestId: 'r1' }, stageVariables: null, requestHeaders: {}, queryString: {}, pathParameters: {} },
    );
    expect(answer).toEqual({ statusCode: 400, headers: { 'Content-Type': 'application/json' }, body: '{"message":"Too Many Requests"}' });
  });
});

describe('throttle', () => {
  it('refills a token bucket at the rate, up to the burst', () => {
    let now = 0;
    const bucket = new TokenBucket({ rateLimit: 2, burstLimit: 3 }, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    now += 500; // one token back
    expect([bucket.tryTake(), bucket.tryTake()]).toEqual([true, false]);
    now += 60_000; // never more than the burst
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
  });

  it('takes a method setting over the stage default', () => {
    const throttle = new StageThrottle([
      { resourcePath: '/*', httpMethod: '*', rateLimit: 50, burstLimit: 100 },
      { resourcePath: '/orders', httpMethod: 'POST', burstLimit: 5 },
    ]);
    expect(throttle.limitsFor('/orders', 'POST')).toEqual({ rateLimit: 50, burstLimit: 5 });
    expect(throttle.limitsFor('/orders', 'GET')).toEqual({ rateLimit: 50, burstLimit: 100 });
  });
});
