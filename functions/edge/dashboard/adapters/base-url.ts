export interface IncomingRequest {
  /** Request headers, names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** `requestContext.stage` of the API Gateway event. */
  readonly stage: string | undefined;
}

// A host name or bracketed IPv6 address with an optional port, nothing else: the header becomes
// part of a URL, so a value such as `evil.example/x?` or `user@host` must not shape it.
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The API's own base URL, as the caller reached it: the dashboard calls its sibling routes
 * through the same API. Scheme from X-Forwarded-Proto (https unless it says http), host from
 * Host, and the `/<stage>` prefix only on an execute-api host: behind a custom domain and in the
 * offline runtime the routes hang from the root. Undefined when the Host header is unusable.
 */
export function apiBaseUrl({ headers, stage }: IncomingRequest): string | undefined {
  const host = headers.host?.trim();
  if (!host || !HOST.test(host)) return undefined;
  const forwardedProto = headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase();
  const scheme = forwardedProto === 'http' ? 'http' : 'https';
  const prefix = host.toLowerCase().includes('.execute-api.') && stage ? `/${encodeURIComponent(stage)}` : '';
  return `${scheme}://${host}${prefix}`;
}
