import { ordersRoutes } from '../../contracts/routes/orders';
import { ConflictError, UnauthorizedError, UnprocessableError } from '../../shared/errors';
import { isTransient, postValidated, UnexpectedStatusError } from '../../shared/resilience/api-client';
import { retrying, type RetryPolicy } from '../../shared/resilience/retry';
import { OrdersUnavailableError } from '../domain/cart';
import type { Orders } from '../domain/cart-service';
import type { ApiCallOptions } from './http-catalog';

export const ORDERS_RETRY_AFTER_SECONDS = 5;

const RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 2000 };

export interface HttpOrdersOptions extends ApiCallOptions {
  /** The caller's own Authorization header: the order is placed as the caller, under the order service's own rules. */
  readonly authorization: string;
}

/** What the order service's refusal means to the cart's caller; anything else is the service being unavailable. */
function refusal(error: unknown): Error {
  if (error instanceof UnexpectedStatusError) {
    if (error.status === 422) return new UnprocessableError('An item of the cart is unknown or archived: remove it and try again');
    if (error.status === 409) return new ConflictError('This cart was already checked out with other payment or shipping details');
    if (error.status === 401) return new UnauthorizedError('The access token is no longer valid');
  }
  return new OrdersUnavailableError('The order could not be placed now; the cart is unchanged, try again later', ORDERS_RETRY_AFTER_SECONDS, { cause: error });
}

/**
 * POST /orders over the public API, as the caller. The Idempotency-Key makes a repeat harmless,
 * so transient failures (no answer, 5xx, 429) are retried within the deadline.
 */
export function httpOrders(options: HttpOrdersOptions): Orders {
  const { apiUrl, timeoutMs, deadlineMs, authorization, correlationId, fetcher } = options;
  return {
    async place(body, idempotencyKey) {
      const headers = { Authorization: authorization, 'X-Correlation-Id': correlationId, 'Idempotency-Key': idempotencyKey };
      const schema = ordersRoutes.placeOrder.responses[202].schema;
      const call = (remainingMs: number) =>
        postValidated(`${apiUrl}${ordersRoutes.placeOrder.path}`, body, schema, { headers, timeoutMs: Math.min(timeoutMs, remainingMs), fetcher });
      try {
        return await retrying(call, { policy: RETRY_POLICY, isRetryable: isTransient, deadline: Date.now() + deadlineMs });
      } catch (error) {
        throw refusal(error);
      }
    },
  };
}
