import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type * as z from 'zod';
import type { RouteContract } from '../../contracts/routes';
import type { Caller } from '../auth/authenticate';
import { assertSigningSecretConfigured } from '../signing-keys';
import { withObservability } from '../middleware-stack';
import { authorize, httpBoundary, parseJsonBody, validateRequest } from './middlewares';
import { stateOf } from './request-state';

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteRequest<R extends RouteContract> {
  body: Parsed<R['body']>;
  query: Parsed<R['query']>;
  params: Parsed<R['params']>;
  /** The headers the route declares, validated (names in lower case). */
  declaredHeaders: Parsed<R['headers']>;
  caller: R['access'] extends 'public' ? undefined : Caller;
  correlationId: string;
  /** The API stage the request came through (requestContext.stage). */
  stage: string | undefined;
  /** Request headers, names in lower case. */
  headers: Record<string, string | undefined>;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * The one way to write an HTTP handler: the route's contract decides access and validation,
 * the handler receives typed input and returns a status and a body.
 */
export function httpRoute<R extends RouteContract>(
  route: R,
  handle: (request: RouteRequest<R>) => Promise<RouteResult>,
) {
  if (route.access !== 'public') assertSigningSecretConfigured();
  return withObservability<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(httpBoundary())
    .use(authorize(route))
    .use(parseJsonBody(route))
    .use(validateRequest(route))
    .handler(async (event, context) => {
      const state = stateOf(context);
      const result = await handle({
        body: state.input.body,
        query: state.input.query,
        params: state.input.params,
        declaredHeaders: state.input.headers,
        caller: state.caller,
        correlationId: state.correlationId,
        stage: event.requestContext?.stage,
        headers: state.headers,
      } as RouteRequest<R>);
      return toProxyResult(result);
    });
}

function toProxyResult({ status, body, headers }: RouteResult): APIGatewayProxyResult {
  if (body === undefined) return { statusCode: status, headers: headers ?? {}, body: '' };
  return {
    statusCode: status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}
