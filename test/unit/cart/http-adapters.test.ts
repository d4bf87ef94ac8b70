import { describe, expect, it, vi } from 'vitest';
import { httpCatalog } from '../../../functions/cart/adapters/http-catalog';
import { httpOrders } from '../../../functions/cart/adapters/http-orders';
import { CatalogUnavailableError, OrdersUnavailableError } from '../../../functions/cart/domain/cart';
import { ConflictError, UnprocessableError } from '../../../functions/shared/errors';
import { CircuitBreaker } from '../../../functions/shared/resilience/circuit-breaker';

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const product = {
  id: 'p/1', name: 'Mug', description: '', category: 'kitchen', priceCents: 1200, currency: 'USD', sku: 'MUG', status: 'ACTIVE',
  version: 1, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
};
const base = { apiUrl: 'https://api.example.com/dev', timeoutMs: 500, deadlineMs: 2000, correlationId: 'corr-1' };
const order = {
  orderId: 'o-1', customerId: 'u-1', status: 'PENDING', items: [], totalCents: 0, currency: 'USD',
  shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' },
  createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z', history: [],
};
const orderBody = { items: [{ productId: 'p-1', quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: order.shippingAddress };

describe('httpCatalog', () => {
  it('asks GET /products/batch for the ids, escaped, with the correlation id, and retries a transient failure', async () => {
    const fetcher = vi.fn<typeof fetch>()
      .mockResolvedValueOnce(json(503, {}))
      .mockResolvedValueOnce(json(200, { items: [product], missing: ['p,2'] }));
    const answer = await httpCatalog({ ...base, fetcher }).products(['p/1', 'p,2']);
    expect(answer).toEqual({ items: [product], missing: ['p,2'] });
    expect(fetcher).toHaveBeenCalledTimes(2);
    const [url, init] = fetcher.mock.calls[0]!;
    expect(url).toBe('https://api.example.com/dev/products/batch?ids=p%2F1,p%2C2');
    expect(init?.headers).toMatchObject({ 'X-Correlation-Id': 'corr-1' });
  });

  it('turns any failure to answer soundly into CatalogUnavailableError with Retry-After', async () => {
    for (const fetcher of [async () => json(500, {}), async () => json(200, { nope: true }), async () => { throw new TypeError('fetch failed'); }]) {
      const error = await httpCatalog({ ...base, fetcher: fetcher as typeof fetch }).products(['p-1']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CatalogUnavailableError);
      expect((error as CatalogUnavailableError).headers).toEqual({ 'Retry-After': '5' });
    }
  });

  it('fails fast once the shared breaker is open', async () => {
    const breaker = new CircuitBreaker({ name: 'catalog', failureRateThreshold: 0.5, minimumCalls: 1, windowMs: 10_000, coolDownMs: 60_000 });
    const fetcher = vi.fn<typeof fetch>(async () => json(500, {}));
    await expect(httpCatalog({ ...base, fetcher, breaker }).products(['p-1'])).rejects.toBeInstanceOf(CatalogUnavailableError);
    expect(fetcher).toHaveBeenCalledTimes(1);
    await expect(httpCatalog({ ...base, fetcher, breaker }).products(['p-1'])).rejects.toBeInstanceOf(CatalogUnavailableError);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });
});

describe('httpOrders', () => {
  it('POSTs /orders as the caller with the Idempotency-Key, retrying a transient failure (the key makes it harmless)', async () => {
    const fetcher = vi.fn<typeof fetch>().mockResolvedValueOnce(json(502, {})).mockResolvedValueOnce(json(202, order));
    const placed = await httpOrders({ ...base, authorization: 'Bearer t', fetcher }).place(orderBody, 'cart-checkout-v3');
    expect(placed.orderId).toBe('o-1');
    expect(fetcher).toHaveBeenCalledTimes(2);
    const [url, init] = fetcher.mock.calls[1]!;
    expect(url).toBe('https://api.example.com/dev/orders');
    expect(init).toMatchObject({
      method: 'POST', body: JSON.stringify(orderBody),
      headers: { Authorization: 'Bearer t', 'Idempotency-Key': 'cart-checkout-v3', 'X-Correlation-Id': 'corr-1' },
    });
  });

  it("passes the order service's refusals on (422, 409) and makes anything else a 503 with Retry-After", async () => {
    const place = (status: number) =>
      httpOrders({ ...base, authorization: 'Bearer t', fetcher: async () => json(status, {}) }).place(orderBody, 'k').catch((e: unknown) => e);
    expect(await place(422)).toBeInstanceOf(UnprocessableError);
    expect(await place(409)).toBeInstanceOf(ConflictError);
    const unavailable = await place(503);
    expect(unavailable).toBeInstanceOf(OrdersUnavailableError);
    expect((unavailable as OrdersUnavailableError).status).toBe(503);
  });

  it('names the products the order service no longer sells, which the cart view leaves out, so they can be removed', async () => {
    const body = { ...orderBody, items: [{ productId: 'p-1', quantity: 1 }, { productId: 'p/2', quantity: 3 }] };
    const refusal = json(422, {
      type: 'https://commerce.dev/problems/unorderable-products', title: 'Unprocessable Content', status: 422,
      detail: 'These products cannot be ordered: p/2', errors: [{ path: 'body.items.1.productId', message: 'Unknown or archived product' }],
      correlationId: 'corr-1',
    });
    const error = await httpOrders({ ...base, authorization: 'Bearer t', fetcher: async () => refusal }).place(body, 'k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect((error as UnprocessableError).message).toBe('These products of the cart are no longer sold: p/2. Remove them (DELETE /cart/items/{productId}) and try again');
    expect((error as UnprocessableError).errors).toEqual([{ path: 'cart.items.p/2', message: 'Unknown or archived product' }]);
  });
});
