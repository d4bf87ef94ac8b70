/**
 * The Lambda Invoke API over HTTP, as @aws-sdk/client-lambda speaks it (REST-JSON), so the SDK's
 * `InvokeCommand` (our code, aws-local-stepfunctions) works against the local service:
 *
 *   POST /2015-03-31/functions/{FunctionName}/invocations   (Invoke)
 *   POST /2014-11-13/functions/{FunctionName}/invoke-async  (legacy InvokeAsync)
 *
 * Requests are not authenticated. Function errors are HTTP 200 with `X-Amz-Function-Error:
 * Unhandled` and the error JSON as payload; service errors use Lambda's error shape
 * (`x-amzn-ErrorType` header, `{ Type, Message }` body) so the SDK raises the right exception.
 */
import { listen } from '../http/listen';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import type { LambdaError } from '../types';

/** Lambda's request limits: 6 MB synchronous, 1 MB asynchronous. */
const MAX_SYNC_REQUEST_BYTES = 6_291_456;
const MAX_ASYNC_REQUEST_BYTES = 1_048_576;

export type InvokeApiOutcome = { readonly ok: true; readonly payloadJson: string } | { readonly ok: false; readonly error: LambdaError };

/** What the API needs from the Lambda service. */
export interface InvokeBackend {
  has(functionNameOrArn: string): boolean;
  /** Runs the function synchronously. */
  invokeJson(functionNameOrArn: string, eventJson: string, requestId: string, clientContextJson?: string): Promise<InvokeApiOutcome>;
  /** Queues an asynchronous invocation. */
  invokeAsyncJson(functionNameOrArn: string, eventJson: string, requestId: string): void;
  /** A fresh request id. */
  newRequestId(): string;
  /** The fault switch (see FAULT_ROUTE): invocations of the function fail, until cleared (undefined). */
  setFault?(functionNameOrArn: string, fault: InjectedFault | undefined): void;
}

/** Fails the invocations of a function whose event contains `matching` (every one without it), with `message`. */
export interface InjectedFault {
  readonly message: string;
  readonly matching?: string;
}

/**
 * Offline only, no AWS API: `PUT /local/faults/{FunctionName}` with a JSON body `{message?, matching?}`
 * makes the function's invocations fail (those whose event's JSON contains `matching`, when given:
 * so a test fails its own events only), however it is invoked; `DELETE` clears it. For tests of the
 * failure paths (retries, DLQs) and of the ops CLI's redrive.
 */
const FAULT_ROUTE = /^\/local\/faults\/([^/]+)\/?$/;

export interface InvokeApiOptions {
  readonly region: string;
  readonly accountId: string;
  /** Defaults to a free port. */
  readonly port?: number;
  readonly host?: string;
}

export interface InvokeApi {
  /** e.g. http://127.0.0.1:50123 */
  readonly endpoint: string;
  stop(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const ROUTES: ReadonlyArray<{ readonly pattern: RegExp; readonly operation: 'Invoke' | 'InvokeAsync' }> = [
  { pattern: /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/, operation: 'Invoke' },
  { pattern: /^\/2014-11-13\/functions\/([^/]+)\/invoke-async\/?$/, operation: 'InvokeAsync' },
];

/** Reads the body, refusing more than `limit` bytes without buffering them. */
function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new ApiError(413, 'RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`));
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** An empty payload is `{}` to the function, as on AWS; anything else must be JSON. */
function eventJsonOf(body: string): string {
  if (body.trim() === '') return '{}';
  try {
    JSON.parse(body);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ApiError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${reason}`);
  }
  return body;
}

/** `X-Amz-Client-Context` is base64 JSON. */
function clientContextOf(request: IncomingMessage): string | undefined {
  const encoded = header(request, 'X-Amz-Client-Context');
  if (encoded === undefined || encoded === '') return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  try {
    JSON.parse(decoded);
  } catch {
    throw new ApiError(400, 'InvalidRequestContentException', 'Client context must be a valid Base64-encoded JSON object.');
  }
  return decoded;
}

export async function startInvokeApi(backend: InvokeBackend, options: InvokeApiOptions): Promise<InvokeApi> {
  const notFound = (functionName: string): ApiError => {
    const arn = functionName.startsWith('arn:') ? functionName : `arn:aws:lambda:${options.region}:${options.accountId}:function:${functionName}`;
    return new ApiError(404, 'ResourceNotFoundException', `Function not found: ${arn}`);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const fault = FAULT_ROUTE.exec(url.pathname);
    if (fault && backend.setFault && (request.method === 'PUT' || request.method === 'DELETE')) {
      const functionName = decodeURIComponent(fault[1] ?? '');
      if (!backend.has(functionName)) throw notFound(functionName);
      const body = request.method === 'PUT' ? (JSON.parse(eventJsonOf(await readBody(request, MAX_ASYNC_REQUEST_BYTES))) as Partial<InjectedFault>) : undefined;
      backend.setFault(functionName, body && { message: String(body.message ?? 'Fault injected'), ...(typeof body.matching === 'string' ? { matching: body.matching } : {}) });
      response.writeHead(204);
      response.end();
      return;
    }
    const route = ROUTES.map(({ pattern, operation }) => ({ match: pattern.exec(url.pathname), operation })).find(({ match }) => match);
    if (!route?.match || request.method !== 'POST') {
      throw new ApiError(404, 'UnknownOperationException', `Unknown operation ${request.method ?? ''} ${url.pathname} (only Invoke is emulated locally)`);
    }
    const functionName = decodeURIComponent(route.match[1] ?? '');
    const qualifier = url.searchParams.get('Qualifier');
    // Only $LATEST exists locally: other qualifiers run it too (see findFunction).
    const target = qualifier && !functionName.startsWith('arn:') && !functionName.includes(':') ? `${functionName}:${qualifier}` : functionName;
    if (!backend.has(target)) throw notFound(functionName);
    const requestId = backend.newRequestId();

    if (route.operation === 'InvokeAsync') {
      const eventJson = eventJsonOf(await readBody(request, MAX_ASYNC_REQUEST_BYTES));
      backend.invokeAsyncJson(target, eventJson, requestId);
      response.writeHead(202, { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId });
      response.end(JSON.stringify({ Status: 202 }));
      return;
    }

    const invocationType = header(request, 'X-Amz-Invocation-Type') ?? 'RequestResponse';
    switch (invocationType) {
      case 'DryRun':
        await readBody(request, MAX_SYNC_REQUEST_BYTES);
        response.writeHead(204, { 'x-amzn-RequestId': requestId });
        response.end();
        return;
      case 'Event': {
        const eventJson = eventJsonOf(await readBody(request, MAX_ASYNC_REQUEST_BYTES));
        backend.invokeAsyncJson(target, eventJson, requestId);
        response.writeHead(202, { 'x-amzn-RequestId': requestId });
        response.end();
        return;
      }
      case 'RequestResponse': {
        const eventJson = eventJsonOf(await readBody(request, MAX_SYNC_REQUEST_BYTES));
        const outcome = await backend.invokeJson(target, eventJson, requestId, clientContextOf(request));
        const body = outcome.ok ? outcome.payloadJson : JSON.stringify(outcome.error);
        response.writeHead(200, {
          'Content-Type': 'application/json',
          'X-Amz-Executed-Version': '$LATEST',
          'x-amzn-RequestId': requestId,
          ...(outcome.ok ? {} : { 'X-Amz-Function-Error': 'Unhandled' }),
        });
        response.end(body);
        return;
      }
      default:
        throw new ApiError(400, 'InvalidParameterValueException', `Unsupported invocation type: ${invocationType}`);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const apiError = error instanceof ApiError ? error : new ApiError(500, 'ServiceException', error instanceof Error ? error.message : String(error));
      if (response.headersSent) {
        response.destroy();
        return;
      }
      response.writeHead(apiError.status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': apiError.errorType });
      response.end(JSON.stringify({ Type: apiError.status >= 500 ? 'Service' : 'User', Message: apiError.message }));
    });
  });

  const host = options.host ?? '127.0.0.1';
  const endpoint = await listen(server, options.port, host);

  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        // SDK clients keep connections alive: close them, or close() waits for them forever.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
