import * as z from 'zod';
import { routes } from '../../../contracts/routes';
import { readConfig } from '../../../shared/config';
import { logger } from '../../../shared/observability';
import { CALL_TIMEOUT_ENV, DEADLINE_ENV, FAULT_INJECTION_ENABLED, FAULT_INJECTION_ENV } from '../config';
import { RECENT_ORDERS, SECTIONS, type DashboardSources, type Section } from '../domain/dashboard';
import { CircuitBreaker } from '../resilience/circuit-breaker';
import { retrying, type RetryPolicy } from '../resilience/retry';
import { apiBaseUrl, type IncomingRequest } from './base-url';
import { getValidated, isDependencyFault, isTransient } from './api-client';
import { requestedFaults, unreachable } from './fault-injection';

const config = readConfig({
  [FAULT_INJECTION_ENV]: z.enum([FAULT_INJECTION_ENABLED, 'disabled']).optional(),
  STAGE: z.string().optional(),
  [CALL_TIMEOUT_ENV]: z.coerce.number().int().positive().default(1500),
  [DEADLINE_ENV]: z.coerce.number().int().positive().default(3000),
});
const faultInjection = config[FAULT_INJECTION_ENV] === FAULT_INJECTION_ENABLED;
if (faultInjection && config.STAGE === 'prod') {
  throw new Error(`Invalid function configuration: ${FAULT_INJECTION_ENV} must never be enabled in prod`);
}

const RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000 };

/**
 * One breaker per dependency, in module scope: it outlives the request and learns from every
 * request this execution environment serves. It sees each attempt (retries included), so a
 * dependency that is down opens it within one dashboard request, and an open breaker ends that
 * section's retries at once.
 */
const breakers = Object.fromEntries(
  SECTIONS.map((section) => [
    section,
    new CircuitBreaker({
      name: section,
      failureThreshold: 3,
      coolDownMs: 10_000,
      isFailure: isDependencyFault,
      onStateChange: (change) => logger.warn('Dashboard dependency circuit changed state', { ...change }),
    }),
  ]),
) as Record<Section, CircuitBreaker>;

// The owning contexts' own public routes and contracts: each enforces its access rules on the
// caller's token, so the dashboard needs no grant on any context's data.
const { getMe, listOrders, listNotifications } = routes;

export interface DashboardRequest extends IncomingRequest {
  /** The caller's Authorization header, forwarded as is. */
  readonly authorization: string;
  readonly correlationId: string;
}

/** The three sections of the caller's dashboard, each read from its context's API with timeouts, retries and a breaker. */
export function dashboardSources(request: DashboardRequest): DashboardSources {
  const baseUrl = apiBaseUrl(request);
  const faults = requestedFaults(request.headers, faultInjection);
  if (faults.size > 0) logger.warn('Fault injection: dependencies made unreachable', { sections: [...faults] });
  // One deadline for the whole dashboard: the sections run in parallel, each within it.
  const deadline = Date.now() + config[DEADLINE_ENV];
  const headers = { Authorization: request.authorization, 'X-Correlation-Id': request.correlationId };

  const get = async <S extends z.ZodType>(section: Section, pathAndQuery: string, schema: S): Promise<z.output<S>> => {
    if (!baseUrl) throw new Error('The request has no usable Host header to reach the API by');
    const fetcher = faults.has(section) ? unreachable : undefined;
    return retrying(
      (remainingMs) =>
        breakers[section].execute(() =>
          getValidated(`${baseUrl}${pathAndQuery}`, schema, { headers, fetcher, timeoutMs: Math.min(config[CALL_TIMEOUT_ENV], remainingMs) }),
        ),
      { policy: RETRY_POLICY, isRetryable: isTransient, deadline },
    );
  };

  return {
    user: () => get('user', getMe.path, getMe.responses[200].schema),
    recentOrders: async () => (await get('recentOrders', `${listOrders.path}?limit=${RECENT_ORDERS}`, listOrders.responses[200].schema)).items,
    // The smallest page: only the unread count, which covers all of the caller's notifications, is used.
    unreadNotifications: async () =>
      (await get('unreadNotifications', `${listNotifications.path}?limit=1`, listNotifications.responses[200].schema)).unreadCount,
  };
}
