import type * as z from 'zod';
import { notificationsRoutes } from '../../../contracts/routes/notifications';
import { ordersRoutes } from '../../../contracts/routes/orders';
import { usersRoutes } from '../../../contracts/routes/users';
import { logger } from '../../../shared/observability';
import { edgeConfig } from '../../edge-config';
import { RECENT_ORDERS, SECTIONS, type DashboardSources, type Section } from '../domain/dashboard';
import { breakerVerdict, getValidated, isTransient } from '../../../shared/resilience/api-client';
import { CircuitBreaker } from '../../../shared/resilience/circuit-breaker';
import { requestedFaults, unreachable } from '../../../shared/resilience/fault-injection';
import { retrying, type RetryPolicy } from '../../../shared/resilience/retry';

const config = edgeConfig.dashboard();

const RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000 };

/**
 * One breaker per dependency, in module scope: it outlives the request and learns from every
 * request this execution environment serves, so no one request may decide it. It sees each
 * attempt (retries included) and opens on half of at least 10 recent attempts failing: more
 * than one request's 3 attempts, so a dependency that is down opens it within 4 requests, and
 * an open breaker ends that section's retries at once. Only the dependency's own faults count
 * (see breakerVerdict).
 */
const breakers = Object.fromEntries(
  SECTIONS.map((section) => [
    section,
    new CircuitBreaker({
      name: section,
      failureRateThreshold: 0.5,
      minimumCalls: 10,
      windowMs: 30_000,
      coolDownMs: 10_000,
      classify: breakerVerdict,
      onStateChange: (change) => logger.warn('Dashboard dependency circuit changed state', { ...change }),
    }),
  ]),
) as Record<Section, CircuitBreaker>;

// The owning contexts' own public routes and contracts: each enforces its access rules on the
// caller's token, so the dashboard needs no grant on any context's data.
const { getMe } = usersRoutes;
const { listOrders } = ordersRoutes;
const { listNotifications } = notificationsRoutes;

export interface DashboardRequest {
  /** Request headers, names in lower case: only the fault switch reads them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The caller's Authorization header, forwarded as is. */
  readonly authorization: string;
  readonly correlationId: string;
}

/** The three sections of the caller's dashboard, each read from its context's API with timeouts, retries and a breaker. */
export function dashboardSources(request: DashboardRequest): DashboardSources {
  const faults = requestedFaults(request.headers, config.faultInjection, SECTIONS);
  if (faults.size > 0) logger.warn('Fault injection: dependencies made unreachable', { sections: [...faults] });
  // One deadline for the whole dashboard: the sections run in parallel, each within it.
  const deadline = Date.now() + config.deadlineMs;
  const headers = { Authorization: request.authorization, 'X-Correlation-Id': request.correlationId };

  const get = async <S extends z.ZodType>(section: Section, pathAndQuery: string, schema: S): Promise<z.output<S>> => {
    const call = (remainingMs: number) =>
      getValidated(`${config.apiUrl}${pathAndQuery}`, schema, {
        headers,
        fetcher: faults.has(section) ? unreachable : undefined,
        timeoutMs: Math.min(config.callTimeoutMs, remainingMs),
      });
    // An injected fault is this request's own: it must never reach the breaker every caller shares.
    const attempt = faults.has(section) ? call : (remainingMs: number) => breakers[section].execute(() => call(remainingMs));
    return retrying(attempt, { policy: RETRY_POLICY, isRetryable: isTransient, deadline });
  };

  return {
    user: () => get('user', getMe.path, getMe.responses[200].schema),
    recentOrders: async () => (await get('recentOrders', `${listOrders.path}?limit=${RECENT_ORDERS}`, listOrders.responses[200].schema)).items,
    // The smallest page: only the unread count, which covers all of the caller's notifications, is used.
    unreadNotifications: async () =>
      (await get('unreadNotifications', `${listNotifications.path}?limit=1`, listNotifications.responses[200].schema)).unreadCount,
  };
}
