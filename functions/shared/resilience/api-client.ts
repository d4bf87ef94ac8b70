import type * as z from 'zod';
import type { ErrorVerdict } from './circuit-breaker';
import { isRetryableStatus } from './retry';
import { TimeoutError, withTimeout } from './timeout';

/** The dependency answered with a status other than 2xx. */
export class UnexpectedStatusError extends Error {
  /** `answer`: the JSON body of a refusal (4xx), which says why; undefined for anything else. */
  constructor(readonly status: number, readonly answer?: unknown) {
    super(`The dependency answered ${status}`);
    this.name = 'UnexpectedStatusError';
  }
}

/** The dependency could not be reached (connection refused or reset, DNS, TLS...). */
export class NetworkError extends Error {
  constructor(options: { cause: unknown }) {
    super('The dependency could not be reached', options);
    this.name = 'NetworkError';
  }
}

/** The dependency answered 2xx with something that is not what its contract promises. */
export class InvalidAnswerError extends Error {
  constructor(detail: string) {
    super(`The dependency's answer breaks its contract: ${detail}`);
    this.name = 'InvalidAnswerError';
  }
}

/** Worth another attempt: the same GET may well succeed in a moment. */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof NetworkError ||
    error instanceof TimeoutError ||
    (error instanceof UnexpectedStatusError && isRetryableStatus(error.status))
  );
}

/**
 * What an error says about the dependency, for its circuit breaker, which every caller shares:
 * only the dependency's own faults count against it (a 5xx, no answer in time, no connection, an
 * answer that breaks its contract). A 4xx is a sound answer to this caller (the dependency works
 * and said no); a 429 is the API throttling, which one busy caller can bring about, so it says
 * nothing; and neither does anything else (an error of ours, not the dependency's).
 */
export function breakerVerdict(error: unknown): ErrorVerdict {
  if (error instanceof UnexpectedStatusError) {
    if (error.status >= 500) return 'failure';
    return error.status === 429 ? 'ignore' : 'success';
  }
  if (error instanceof NetworkError || error instanceof TimeoutError || error instanceof InvalidAnswerError) return 'failure';
  return 'ignore';
}

export interface GetOptions {
  readonly headers: Readonly<Record<string, string>>;
  /** Covers the whole exchange, body included. */
  readonly timeoutMs: number;
  /** @default the global fetch, looked up at each call */
  readonly fetcher?: typeof fetch;
}

/** One GET attempt, its 2xx JSON answer validated against `schema`; any other outcome is a typed error. */
export function getValidated<S extends z.ZodType>(url: string, schema: S, options: GetOptions): Promise<z.output<S>> {
  return exchangeValidated(url, schema, { method: 'GET' }, options);
}

/**
 * One POST attempt of the JSON `body`, its 2xx JSON answer validated against `schema`; any other
 * outcome is a typed error. Retry it only when the route makes a repeat harmless (an Idempotency-Key).
 */
export function postValidated<S extends z.ZodType>(url: string, body: unknown, schema: S, options: GetOptions): Promise<z.output<S>> {
  return exchangeValidated(url, schema, { method: 'POST', body: JSON.stringify(body), contentType: 'application/json' }, options);
}

/** A 4xx's JSON body (the problem saying why), read within the call's timeout; any other body is released unread. */
async function refusalAnswer(response: Response): Promise<unknown> {
  if (response.status >= 400 && response.status < 500) return response.json().catch(() => undefined);
  // Release the connection: an unread body would hold it until it is collected.
  await response.body?.cancel().catch(() => {});
  return undefined;
}

function exchangeValidated<S extends z.ZodType>(
  url: string,
  schema: S,
  request: { method: 'GET' | 'POST'; body?: string; contentType?: string },
  options: GetOptions,
): Promise<z.output<S>> {
  const fetcher = options.fetcher ?? fetch;
  return withTimeout(options.timeoutMs, async (signal) => {
    let response: Response;
    try {
      const headers = { Accept: 'application/json', ...(request.contentType ? { 'Content-Type': request.contentType } : {}), ...options.headers };
      response = await fetcher(url, { method: request.method, headers, body: request.body, signal });
    } catch (error) {
      throw new NetworkError({ cause: error });
    }
    if (!response.ok) throw new UnexpectedStatusError(response.status, await refusalAnswer(response));
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new InvalidAnswerError('the body is not JSON');
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new InvalidAnswerError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '));
    }
    return parsed.data;
  });
}
