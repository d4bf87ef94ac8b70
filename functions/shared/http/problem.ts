import type { Problem } from '../../contracts/api/common';
import { AppError } from '../errors';
import { logger } from '../observability';
import { INTERNAL_ERROR, problemTitle, problemType } from './problem-types';

export interface ProblemResponse {
  status: number;
  problem: Problem;
  headers: Record<string, string>;
}

function problemOf(code: string, status: number, detail: string, correlationId: string, errors?: Problem['errors']): Problem {
  return { type: problemType(code), title: problemTitle(status), status, detail, ...(errors ? { errors } : {}), correlationId };
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
      problem: problemOf(error.code, error.status, error.message, correlationId, error.errors),
    };
  }
  logger.error('Unhandled error', { error: error instanceof Error ? error : String(error) });
  const detail = 'An unexpected error occurred. Quote the correlationId when reporting it.';
  return { status: 500, headers: {}, problem: problemOf(INTERNAL_ERROR, 500, detail, correlationId) };
}
