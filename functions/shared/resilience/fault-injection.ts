/**
 * FAULT INJECTION: a switch for tests of the degraded paths. It must never exist in prod.
 *
 * Only when the function's environment has FAULT_INJECTION=enabled (set by the offline runtime
 * and non-prod stages only; the function refuses to start with it when STAGE=prod), a request
 * header `X-Fault-Inject: <dependency>[,<dependency>]` makes those dependencies unreachable for
 * that request (the dashboard's sections user, recentOrders, unreadNotifications; the cart's
 * catalog; unknown names are ignored). Their calls then fail exactly as a network failure would,
 * through the same retries, and the caller degrades as it would for a real outage. They bypass
 * the circuit breakers: those are shared by every caller of the execution environment, and one
 * request's test switch must not degrade anybody else's answers. Without the variable the header
 * is ignored.
 */
export const FAULT_INJECT_HEADER = 'x-fault-inject';

/** The variable that turns the switch on, and its one value that does. */
export const FAULT_INJECTION_ENV = 'FAULT_INJECTION';
export const FAULT_INJECTION_ENABLED = 'enabled';

/**
 * Whether the switch is on, from the variable's value and the stage's name: refused outright in
 * prod, so that a misconfigured prod function fails its cold start instead of taking test faults.
 */
export function faultSwitchOn(value: string | undefined, stage: string | undefined): boolean {
  const on = value === FAULT_INJECTION_ENABLED;
  if (on && stage === 'prod') throw new Error(`Invalid function configuration: ${FAULT_INJECTION_ENV} must never be enabled in prod`);
  return on;
}

/** The dependencies among `known` that the request asks to fail; always none when the switch is off. */
export function requestedFaults<T extends string>(
  headers: Readonly<Record<string, string | undefined>>,
  enabled: boolean,
  known: readonly T[],
): ReadonlySet<T> {
  const value = headers[FAULT_INJECT_HEADER];
  if (!enabled || !value) return new Set();
  const named = new Set(value.split(',').map((name) => name.trim()));
  return new Set(known.filter((dependency) => named.has(dependency)));
}

/** A fetch whose dependency is down: it rejects as undici does when a connection fails. */
export const unreachable: typeof fetch = async () => {
  throw new TypeError('fetch failed', { cause: new Error(`Dependency made unreachable by ${FAULT_INJECT_HEADER}`) });
};
