import { publishedApiUrl } from '../shared/api-url';
import { sharedConfig } from '../shared/environment';
import { logger } from '../shared/observability';
import { CircuitBreaker } from '../shared/resilience/circuit-breaker';
import { breakerVerdict } from '../shared/resilience/api-client';
import { requestedFaults, unreachable } from '../shared/resilience/fault-injection';
import { dynamoCartStore } from './adapters/dynamo-cart-store';
import { httpCatalog } from './adapters/http-catalog';
import { httpOrders } from './adapters/http-orders';
import { cartConfig } from './cart-config';
import type { CartDeps, Orders } from './domain/cart-service';

/**
 * The cart context's composition root: its store, and the catalog and order service over the
 * public API at the address deployed with the function, configured as the module loads, so a
 * missing variable fails the cold start.
 */
export const cartStore = dynamoCartStore(sharedConfig.tableName());
const config = cartConfig.calls();
const apiUrl = publishedApiUrl();

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
    apiUrl: await apiUrl(),
    ...config.catalog,
    correlationId: request.correlationId,
    ...(injected ? { fetcher: unreachable } : { breaker: catalogBreaker }),
  });
  return { store: cartStore, catalog };
}

/** The order service, as the caller whose Authorization header is forwarded. */
export async function ordersFor(request: CartRequest & { readonly authorization: string }): Promise<Orders> {
  return httpOrders({ apiUrl: await apiUrl(), ...config.orders, authorization: request.authorization, correlationId: request.correlationId });
}
