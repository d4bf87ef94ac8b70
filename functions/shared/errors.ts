/**
 * Typed errors: domain code throws these, and the one error mapper (http/problem.ts) turns them
 * into problem+json. Anything else that escapes a handler is a fault and becomes a bare 500.
 */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  /** A stable, URL-safe name of the problem type. */
  abstract readonly code: string;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(message: string, options?: { errors?: FieldError[]; headers?: Record<string, string>; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errors = options?.errors;
    this.headers = options?.headers;
  }
}

/**
 * The base of every typed error of one status: its code is the problem type's, which a subclass
 * may make more specific (`override readonly code = 'sku-taken'`).
 */
function problemOf(status: number, code: string) {
  abstract class Problem extends AppError {
    readonly status = status;
    readonly code: string = code;
  }
  return Problem;
}

export class ValidationError extends problemOf(400, 'validation-error') {}
export class MalformedJsonError extends problemOf(400, 'malformed-json') {}
export class UnauthorizedError extends problemOf(401, 'unauthorized') {}
export class ForbiddenError extends problemOf(403, 'forbidden') {}
export class NotFoundError extends problemOf(404, 'not-found') {}
export class ConflictError extends problemOf(409, 'conflict') {}
export class PayloadTooLargeError extends problemOf(413, 'payload-too-large') {}
export class UnsupportedMediaTypeError extends problemOf(415, 'unsupported-media-type') {}
export class UnprocessableError extends problemOf(422, 'unprocessable') {}

/**
 * A write that kept losing races with concurrent writes of the same thing gave up: nothing of it
 * was written, and the client may simply try again, which `Retry-After: 1` says to a client that
 * reads it (unlike the other 409s, which the same request would only meet again). The message
 * says what was contended.
 */
export class ConcurrentUpdateError extends ConflictError {
  override readonly code = 'concurrent-update';

  constructor(message: string) {
    super(message, { headers: { 'Retry-After': '1' } });
  }
}

/** The base of the typed errors that tell the client when to try again: `Retry-After`, in whole seconds (at least 1). */
function retryLaterProblemOf(status: number, code: string) {
  abstract class RetryLater extends problemOf(status, code) {
    readonly retryAfterSeconds: number;

    constructor(message: string, retryAfterSeconds: number, options?: { cause?: unknown }) {
      const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
      super(message, { headers: { 'Retry-After': String(seconds) }, cause: options?.cause });
      this.retryAfterSeconds = seconds;
    }
  }
  return RetryLater;
}

/** Throttled: the client may try again after `Retry-After` seconds. */
export class TooManyRequestsError extends retryLaterProblemOf(429, 'too-many-requests') {}

/** A dependency this request needs did not answer in time: nothing was changed; the client may try again after `Retry-After` seconds. */
export class ServiceUnavailableError extends retryLaterProblemOf(503, 'service-unavailable') {}
