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
 * was written, and the client may simply try again. The message says what was contended.
 */
export class ConcurrentUpdateError extends ConflictError {
  override readonly code = 'concurrent-update';
}

/** Throttled: the client may try again after `Retry-After` seconds (a whole number, at least 1). */
export class TooManyRequestsError extends problemOf(429, 'too-many-requests') {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(message, { headers: { 'Retry-After': String(seconds) } });
    this.retryAfterSeconds = seconds;
  }
}
