import type { Problem } from '../../contracts/api/common';
import { AppError } from '../errors';
import { logger } from '../observability';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TITLES as TITLES, problemType } from './problem-types';

export { PROBLEM_CONTENT_TYPE, problemType };

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
