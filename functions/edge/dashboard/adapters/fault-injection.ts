/**
 * FAULT INJECTION: a switch for tests of the degraded paths. It must never exist in prod.
 *
 * Only when the function's environment has FAULT_INJECTION=enabled (set by the offline runtime
 * and non-prod stages only; the function refuses to start with it when STAGE=prod), a request
 * header `X-Fault-Inject: <section>[,<section>]` (sections: user, recentOrders,
 * unreadNotifications; unknown names are ignored) makes those sections' dependency unreachable
 * for that request. Their calls then fail exactly as a network failure would, through the same
 * retries, and the section is named in `degraded`. They bypass the circuit breakers: those are
 * shared by every caller of the execution environment, and one request's test switch must not
 * degrade anybody else's dashboard. Without the variable the header is ignored.
 */
import { SECTIONS, type Section } from '../domain/dashboard';

export const FAULT_INJECT_HEADER = 'x-fault-inject';

/** The sections the request asks to fail; always none when the switch is off. */
export function requestedFaults(headers: Readonly<Record<string, string | undefined>>, enabled: boolean): ReadonlySet<Section> {
  const value = headers[FAULT_INJECT_HEADER];
  if (!enabled || !value) return new Set();
  const named = new Set(value.split(',').map((name) => name.trim()));
  return new Set(SECTIONS.filter((section) => named.has(section)));
}

/** A fetch whose dependency is down: it rejects as undici does when a connection fails. */
export const unreachable: typeof fetch = async () => {
  throw new TypeError('fetch failed', { cause: new Error(`Dependency made unreachable by ${FAULT_INJECT_HEADER}`) });
};
