import type { Context } from 'aws-lambda';
import type { Caller } from '../auth/authenticate';

/** What the middlewares learn about a request, handed to the route's handler. */
export interface RequestState {
  correlationId: string;
  caller?: Caller;
  rawBody?: unknown;
  input: { body?: unknown; query?: unknown; params?: unknown; headers?: unknown };
  headers: Record<string, string | undefined>;
}

const states = new WeakMap<Context, RequestState>();

export function stateOf(context: Context): RequestState {
  const state = states.get(context);
  if (!state) throw new Error('Request state is missing: the http boundary middleware did not run');
  return state;
}

export function initState(context: Context, state: RequestState): void {
  states.set(context, state);
}
