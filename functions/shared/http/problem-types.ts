/**
 * The vocabulary of the API's problem documents (RFC 9457), shared by the functions' error
 * mapper (problem.ts) and the gateway's own error responses (lib/platform/rest-api.ts), so a
 * client sees one set of `type` URIs and titles whoever answered. No dependencies: the CDK app
 * imports it too.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The one scheme of problem `type` URIs: a code (an AppError's `code`, or a gateway response's) under one base. */
export function problemType(code: string): string {
  return `https://commerce.dev/problems/${code}`;
}

/** The code of any fault, whether a function or the gateway met it: nothing about its cause. */
export const INTERNAL_ERROR = 'internal-error';

export const PROBLEM_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The title of a status; without one (the gateway's catch-all 4XX), that of any client error. */
export function problemTitle(status: number | undefined): string {
  return status === undefined ? 'Client Error' : (PROBLEM_TITLES[status] ?? 'Error');
}
