import type { ApiResponse } from './http';

/** A problem+json body (RFC 9457) as the functions answer it (http/problem.ts). */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
  correlationId: string;
}

export const problem = (response: ApiResponse<unknown>) => response.body as ProblemBody;

/** The paths of the fields a 400 names, sorted. */
export const errorPaths = (response: ApiResponse<unknown>) => (problem(response).errors ?? []).map((e) => e.path).sort();
