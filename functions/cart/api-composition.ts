import { logger } from '../shared/observability';
import { breakerVerdict } from '../shared/resilience/api-client';
import { CircuitBreaker } from '../shared/resilience/circuit-breaker';
import { requestedFaults, unreachable } from '../shared/resilience/fault-injection';
import { httpCatalog } from './adapters/http-catalog';
import { httpOrders } from './adapters/http-orders';
import { cartConfig } from './cart-config';
import { cartStore } from './composition';
import type { CartDeps, Orders } from './domain/cart-service';

/**
 * The composition of the cart routes that call the public API: the catalog and the order
 * service at the API's address in the function's environment (deploy-time configuration, never
 * anything a request carries; checked as the module loads, so a missing one fails the cold start),
 * with the timeouts and budgets of the function's environment.
 */
const config = cartConfig.calls();

/** The one dependency the fault switch can fail for the cart (`X-Fault-Inject: catalog`). */
const FAULTS = ['catalog'] as const;

/**
 * In module scope: it learns from every request the execution environment serves. Each attempt
 * counts (retries included); half of at least 10 recent attempts failing opens it (more than one
 * request's 3 attempts, so no single request opens it for everybody), and an open breaker ends
 * the retries at once: GET falls back and PUT answers 503 without waiting.
 */
const catalogBreaker = new CircuitBreaker({
  name: 'catalog',
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  windowMs: 30_000,
  coolDownMs: 10_000,
  classify: breakerVerdict,
  onStateChange: (change) => logger.warn('Cart catalog circuit changed state', { ...change }),
});

export interface CartRequest {
  /** Request headers, names in lower case: only the fault switch reads them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly correlationId: string;
}

/** The store and the catalog, for one request. */
export async function cartDeps(request: CartRequest): Promise<CartDeps> {
  // An injected fault is this request's own: it bypasses the breaker every caller shares.
  const injected = requestedFaults(request.headers, config.faultInjection, FAULTS).has('catalog');
  if (injected) logger.warn('Fault injection: the catalog made unreachable');
  const catalog = httpCatalog({
    apiUrl: config.apiUrl,
    ...config.catalog,
    correlationId: request.correlationId,
    ...(injected ? { fetcher: unreachable } : { breaker: catalogBreaker }),
  });
  return { store: cartStore, catalog };
}

/** The order service, as the caller whose Authorization header is forwarded. */
export async function ordersFor(request: CartRequest & { readonly authorization: string }): Promise<Orders> {
  return httpOrders({ apiUrl: config.apiUrl, ...config.orders, authorization: request.authorization, correlationId: request.correlationId });
}
