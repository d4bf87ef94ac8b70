import { ProductBatch } from '../../contracts/api/catalog';
import { catalogRoutes } from '../../contracts/routes/catalog';
import { getValidated, isTransient } from '../../shared/resilience/api-client';
import type { CircuitBreaker } from '../../shared/resilience/circuit-breaker';
import { retrying, type RetryPolicy } from '../../shared/resilience/retry';
import { CatalogUnavailableError } from '../domain/cart';
import type { Catalog } from '../domain/cart-service';

/** What a client is told to wait before trying a change the catalog could not confirm again. */
export const CATALOG_RETRY_AFTER_SECONDS = 5;

const RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 1000 };

/** How an adapter of the cart calls a route of the public API. */
export interface ApiCallOptions {
  /** The API's base URL, from deploy-time configuration. */
  readonly apiUrl: string;
  /** One attempt's timeout. */
  readonly timeoutMs: number;
  /** The budget of one call, retries included. */
  readonly deadlineMs: number;
  readonly correlationId: string;
  /** @default the global fetch */
  readonly fetcher?: typeof fetch;
}

export interface HttpCatalogOptions extends ApiCallOptions {
  /** Shared by every request of the execution environment; left out for a request whose fault is injected. */
  readonly breaker?: CircuitBreaker;
}

/**
 * The catalog over its public API (GET /products/batch): a timeout per call, retries with
 * backoff within one deadline, through the breaker. Any failure to get a sound answer is
 * CatalogUnavailableError: the cart then falls back (GET) or refuses to change (PUT).
 */
export function httpCatalog(options: HttpCatalogOptions): Catalog {
  const { apiUrl, timeoutMs, deadlineMs, breaker, correlationId, fetcher } = options;
  return {
    async products(productIds) {
      const url = `${apiUrl}${catalogRoutes.getProductBatch.path}?ids=${productIds.map(encodeURIComponent).join(',')}`;
      const call = (remainingMs: number) =>
        getValidated(url, ProductBatch, { headers: { 'X-Correlation-Id': correlationId }, timeoutMs: Math.min(timeoutMs, remainingMs), fetcher });
      const attempt = breaker ? (remainingMs: number) => breaker.execute(() => call(remainingMs)) : call;
      try {
        return await retrying(attempt, { policy: RETRY_POLICY, isRetryable: isTransient, deadline: Date.now() + deadlineMs });
      } catch (error) {
        throw new CatalogUnavailableError('The catalog could not confirm the products in time; try again later', CATALOG_RETRY_AFTER_SECONDS, { cause: error });
      }
    },
  };
}
