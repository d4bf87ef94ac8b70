/**
 * The vocabulary of the API's problem documents (RFC 9457), shared by the functions' error
 * mapper and the gateway's own error responses (lib/platform/rest-api.ts), so a client sees one
 * set of `type` URIs and titles whoever answered. No dependencies: the CDK app imports it too.
 */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `https://commerce.dev/problems/${code}`;
}

export const PROBLEM_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
