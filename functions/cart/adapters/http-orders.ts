import { Problem } from '../../contracts/api/common';
import { ordersRoutes } from '../../contracts/routes/orders';
import { ConflictError, UnauthorizedError, UnprocessableError } from '../../shared/errors';
import { isTransient, postValidated, UnexpectedStatusError } from '../../shared/resilience/api-client';
import { retrying, type RetryPolicy } from '../../shared/resilience/retry';
import { OrdersUnavailableError, type OrderLine } from '../domain/cart';
import type { Orders } from '../domain/cart-service';
import type { ApiCallOptions } from './http-catalog';

export const ORDERS_RETRY_AFTER_SECONDS = 5;

const RETRY_POLICY: RetryPolicy = { maxRetries: 2, baseDelayMs: 200, maxDelayMs: 2000 };

export interface HttpOrdersOptions extends ApiCallOptions {
  /** The caller's own Authorization header: the order is placed as the caller, under the order service's own rules. */
  readonly authorization: string;
}

// The order service's 422 names each line it cannot order: body.items.<index>.productId.
const UNORDERABLE_LINE = /^body\.items\.(\d+)\.productId$/;

/**
 * The products of `body` that the order service's 422 names. The cart view leaves such products
 * out, so the caller could not tell which to remove without being told.
 */
function unorderable(answer: unknown, body: { items: readonly OrderLine[] }): string[] {
  const problem = Problem.safeParse(answer);
  const paths = problem.success ? (problem.data.errors ?? []).map((error) => UNORDERABLE_LINE.exec(error.path)?.[1]) : [];
  return [...new Set(paths.flatMap((index) => body.items[Number(index)]?.productId ?? []))];
}

function notForSale(productIds: readonly string[]): UnprocessableError {
  if (productIds.length === 0) return new UnprocessableError('An item of the cart is unknown or archived: remove it and try again');
  return new UnprocessableError(
    `These products of the cart are no longer sold: ${productIds.join(', ')}. Remove them (DELETE /cart/items/{productId}) and try again`,
    { errors: productIds.map((productId) => ({ path: `cart.items.${productId}`, message: 'Unknown or archived product' })) },
  );
}

/** What the order service's refusal means to the cart's caller; anything else is the service being unavailable. */
function refusal(error: unknown, body: { items: readonly OrderLine[] }): Error {
  if (error instanceof UnexpectedStatusError) {
    if (error.status === 422) return notForSale(unorderable(error.answer, body));
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
        throw refusal(error, body);
      }
    },
  };
}
