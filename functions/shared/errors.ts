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

export class ValidationError extends AppError {
  readonly status = 400;
  readonly code = 'validation-error';
}

export class MalformedJsonError extends AppError {
  readonly status = 400;
  readonly code = 'malformed-json';
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly code = 'forbidden';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly code = 'not-found';
}

export class ConflictError extends AppError {
  readonly status = 409;
  readonly code: string = 'conflict';
}

/**
 * A write that kept losing races with concurrent writes of the same thing gave up: nothing of it
 * was written, and the client may simply try again. The message says what was contended.
 */
export class ConcurrentUpdateError extends ConflictError {
  override readonly code = 'concurrent-update';
}

export class PayloadTooLargeError extends AppError {
  readonly status = 413;
  readonly code = 'payload-too-large';
}

export class UnprocessableError extends AppError {
  readonly status = 422;
  readonly code: string = 'unprocessable';
}

/** Throttled: the client may try again after `Retry-After` seconds (a whole number, at least 1). */
export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly code: string = 'too-many-requests';
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(message, { headers: { 'Retry-After': String(seconds) } });
    this.retryAfterSeconds = seconds;
  }
}

export class UnsupportedMediaTypeError extends AppError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
}
