/**
 * A minimal HTTP server for the AWS JSON protocols (awsJson1_0 / awsJson1_1), the wire format of
 * EventBridge, Secrets Manager, SSM, Step Functions, DynamoDB...
 *
 * Requests are `POST /` with `X-Amz-Target: <TargetPrefix>.<Operation>` and a JSON body; a success
 * is 200 with the output as JSON, an error is 4xx/5xx with `{"__type": "<ErrorCode>", "message": ...}`
 * (the AWS SDK v3 reads the code from `__type`, then a `code` field, then the `x-amzn-ErrorType`
 * header; we send both the body field and the header). Timestamps are epoch seconds (numbers) in
 * both directions: that is up to the operations.
 *
 * Requests are not signature-checked: any credentials work, as the local runtime is single-user.
 */
import { listen } from '../http/listen';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

import type { LogSink, RunningService } from '../types';

/** A modelled error of the service: becomes `{"__type": code, "message": message}` with `status`. */
export class AwsServiceError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = status;
  }
}

/** The JSON input of an operation, already parsed; the output is serialized as is. */
export type JsonObject = Record<string, unknown>;
export type AwsJsonOperation = (input: JsonObject) => JsonObject | Promise<JsonObject>;

export interface AwsJsonServerOptions {
  /** The part of `X-Amz-Target` before the dot: `AWSEvents`, `secretsmanager`, `AmazonSSM`... */
  readonly targetPrefix: string;
  /** `1.1` for EventBridge, Secrets Manager and SSM; `1.0` for Step Functions and DynamoDB. */
  readonly jsonVersion: '1.0' | '1.1';
  readonly operations: Readonly<Record<string, AwsJsonOperation>>;
  readonly log: LogSink;
  /** Defaults to 0 (a free port). */
  readonly port?: number;
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
}

export interface AwsJsonServer extends RunningService {
  readonly endpoint: string;
  readonly port: number;
}

// Far above any legitimate request (PutEvents tops out at 256 KB): a bound, not a quota.
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsServiceError('SerializationException', `request body over ${MAX_BODY_BYTES} bytes`, 413));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseInput(body: string): JsonObject {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsServiceError('SerializationException', 'the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsServiceError('SerializationException', 'the request body must be a JSON object');
  }
  return parsed as JsonObject;
}

/** Starts the server; resolves once it listens. */
export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const contentType = `application/x-amz-json-${options.jsonVersion}`;

  const send = (response: ServerResponse, status: number, payload: JsonObject, requestId: string, errorCode?: string): void => {
    const body = JSON.stringify(payload);
    response.writeHead(status, {
      'content-type': contentType,
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': requestId,
      ...(errorCode === undefined ? {} : { 'x-amzn-errortype': errorCode }),
    });
    response.end(body);
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    let operationName = '?';
    try {
      if (request.method !== 'POST') {
        throw new AwsServiceError('UnknownOperationException', `${request.method ?? '?'} is not supported: AWS JSON requests are POST /`, 404);
      }
      const target = request.headers['x-amz-target'];
      const prefix = `${options.targetPrefix}.`;
      if (typeof target !== 'string' || !target.startsWith(prefix)) {
        throw new AwsServiceError('UnknownOperationException', `X-Amz-Target must be ${prefix}<Operation>, got ${String(target)}`);
      }
      operationName = target.slice(prefix.length);
      const operation = Object.hasOwn(options.operations, operationName) ? options.operations[operationName] : undefined;
      if (operation === undefined) {
        // Loud: the app calls something the emulator does not model yet.
        options.log(`unsupported operation ${target} (not emulated locally)`);
        throw new AwsServiceError('UnknownOperationException', `${operationName} is not supported by the local emulator`);
      }
      const input = parseInput(await readBody(request));
      const output = await operation(input);
      send(response, 200, output, requestId);
    } catch (error) {
      if (error instanceof AwsServiceError) {
        send(response, error.status, { __type: error.code, message: error.message }, requestId, error.code);
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      options.log(`${operationName} failed unexpectedly: ${error instanceof Error && error.stack ? error.stack : message}`);
      send(response, 500, { __type: 'InternalFailure', message }, requestId, 'InternalFailure');
    }
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  const endpoint = await listen(server, options.port, options.host);

  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        // SDK clients keep connections alive: close them or close() waits for their idle timeout.
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

// ------------------------------------------------------------ input helpers

/** A required string member, else the ValidationException AWS returns for a missing parameter. */
export function requiredString(input: JsonObject, member: string): string {
  const value = input[member];
  if (typeof value !== 'string' || value === '') {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

/** An optional string member; a non-string is a ValidationException. */
export function optionalString(input: JsonObject, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AwsServiceError('ValidationException', `1 validation error detected: Value at '${lowerFirst(member)}' failed to satisfy constraint: Member must be a string`);
  }
  return value;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Epoch seconds, the JSON protocols' timestamp format. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
