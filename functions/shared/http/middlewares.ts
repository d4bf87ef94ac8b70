import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from 'zod';
import type { RouteContract } from '../../contracts/routes';
import { authenticate } from '../auth/authenticate';
import {
  MalformedJsonError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, type FieldError,
} from '../errors';
import { sharedConfig } from '../environment';
import { logger } from '../observability';
import { toProblem } from './problem';
import { PROBLEM_CONTENT_TYPE } from './problem-types';
import { initState, stateOf } from './request-state';
import { newId } from '../ids';

type HttpMiddleware = MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult>;

export const MAX_BODY_BYTES = 64 * 1024;
const CORRELATION_ID = /^[A-Za-z0-9._-]{1,128}$/;
const ALLOWED_ORIGIN = sharedConfig.allowedOrigin();

function lowerCaseHeaders(headers: APIGatewayProxyEvent['headers'] | null): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
}

function responseHeaders(correlationId: string): Record<string, string> {
  return {
    'X-Correlation-Id': correlationId,
    'Access-Control-Allow-Origin': ALLOWED_ORIGIN,
    'Access-Control-Expose-Headers': 'X-Correlation-Id, Location, Retry-After',
    'Cache-Control': 'no-store',
  };
}

/**
 * The edge of every HTTP function: adopts or mints the correlation id, stamps every response
 * with it and with CORS headers, and maps any error into problem+json.
 */
export function httpBoundary(): HttpMiddleware {
  return {
    before: (request) => {
      const headers = lowerCaseHeaders(request.event.headers);
      const sent = headers['x-correlation-id'];
      const correlationId = sent && CORRELATION_ID.test(sent) ? sent : newId();
      logger.appendKeys({ correlationId });
      initState(request.context, { correlationId, headers, input: {} });
    },
    after: (request) => {
      const { correlationId } = stateOf(request.context);
      request.response = {
        ...request.response!,
        headers: { ...responseHeaders(correlationId), ...request.response!.headers },
      };
    },
    onError: (request) => {
      const correlationId = safeCorrelationId(request.context);
      const { status, problem, headers } = toProblem(request.error, correlationId);
      request.response = {
        statusCode: status,
        headers: { ...responseHeaders(correlationId), ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE },
        body: JSON.stringify(problem),
      };
    },
  };
}

function safeCorrelationId(context: Parameters<typeof stateOf>[0]): string {
  try {
    return stateOf(context).correlationId;
  } catch {
    return newId();
  }
}

/** 401/403 before anything else is read: an anonymous caller learns nothing about the schema. */
export function authorize(route: RouteContract): HttpMiddleware {
  return {
    before: async (request) => {
      const state = stateOf(request.context);
      const caller = await authenticate(route.access, state.headers.authorization);
      if (caller) {
        state.caller = caller;
        logger.appendKeys({ userId: caller.userId });
      }
    },
  };
}

/** JSON bodies only, at most 64 KiB; malformed JSON is a 400 of its own kind. */
export function parseJsonBody(route: RouteContract): HttpMiddleware {
  return {
    before: (request) => {
      if (!route.body) return;
      const state = stateOf(request.context);
      const { body, isBase64Encoded } = request.event;
      if (body === null || body === undefined || body === '') return;
      const raw = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
      if (raw.byteLength > MAX_BODY_BYTES) throw new PayloadTooLargeError(`The body must be at most ${MAX_BODY_BYTES} bytes`);
      const contentType = state.headers['content-type'];
      if (contentType && !/^application\/([a-z.+-]*\+)?json\s*(;|$)/i.test(contentType)) {
        throw new UnsupportedMediaTypeError('Send the body as application/json');
      }
      try {
        state.rawBody = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new MalformedJsonError('The body is not valid JSON');
      }
    },
  };
}

function issuesOf(location: string, error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Every failing field of path, query and body in one 400. */
export function validateRequest(route: RouteContract): HttpMiddleware {
  return {
    before: (request) => {
      const state = stateOf(request.context);
      const errors: FieldError[] = [];
      const check = (location: 'params' | 'query' | 'headers' | 'body', schema: z.ZodType | undefined, value: unknown) => {
        if (!schema) return;
        const parsed = schema.safeParse(value);
        if (parsed.success) state.input[location] = parsed.data;
        else errors.push(...issuesOf({ params: 'path', headers: 'header' }[location as string] ?? location, parsed.error));
      };
      check('params', route.params, request.event.pathParameters ?? {});
      check('query', route.query, request.event.queryStringParameters ?? {});
      check('headers', route.headers, state.headers);
      if (route.body && state.rawBody === undefined) errors.push({ path: 'body', message: 'A JSON body is required' });
      else check('body', route.body, state.rawBody);
      if (errors.length > 0) throw new ValidationError('The request is invalid', { errors });
    },
  };
}
