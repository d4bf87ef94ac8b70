import type { Problem } from '../../contracts/api/common';
import { AppError } from '../errors';
import { logger } from '../observability';

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `https://commerce.dev/problems/${code}`;
}

export interface ProblemResponse {
  status: number;
  problem: Problem;
  headers: Record<string, string>;
}

/**
 * The one error mapper: typed errors keep their status and message; anything else is a fault,
 * logged in full here and answered with a 500 that says nothing about its cause.
 */
export function toProblem(error: unknown, correlationId: string): ProblemResponse {
  if (error instanceof AppError) {
    return {
      status: error.status,
      headers: error.headers ?? {},
      problem: {
        type: problemType(error.code),
        title: TITLES[error.status] ?? 'Error',
        status: error.status,
        detail: error.message,
        ...(error.errors ? { errors: error.errors } : {}),
        correlationId,
      },
    };
  }
  logger.error('Unhandled error', { error: error instanceof Error ? error : String(error) });
  return {
    status: 500,
    headers: {},
    problem: {
      type: problemType('internal-error'),
      title: TITLES[500]!,
      status: 500,
      detail: 'An unexpected error occurred. Quote the correlationId when reporting it.',
      correlationId,
    },
  };
}
