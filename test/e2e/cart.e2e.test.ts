/**
 * The cart over HTTP: every route with its 4xx cases, the catalog read through GET /products/batch
 * with its fallback (the catalog made unreachable by X-Fault-Inject, which the offline runtime and
 * non-prod stages enable), and checkout placing one order however often it is repeated.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, api, eventually, expectProblem as expectProblemOf, registerAndLogin, request, unique, type Reply } from './support/api';
import { address, stockedProduct, type Order } from './support/shop';

interface CartItem { productId: string; name: string; quantity: number; unitPriceCents: number; lineTotalCents: number }
interface Cart { items: CartItem[]; totalCents: number; currency: string; version: number; updatedAt: string; degraded: string[] }

/** The suite's problem check, for replies typed with their success body. */
const expectProblem = (reply: Reply<unknown>, status: number) => expectProblemOf(reply as Reply, status);

const CATALOG_DOWN = { 'X-Fault-Inject': 'catalog' };
const checkoutBody = { paymentToken: 'tok_visa', shippingAddress: address };

const getCart = (token: string, headers: Record<string, string> = {}) => api.get<Cart>('/cart', { token, headers });
const putItem = (token: string, productId: string, quantity: unknown, headers: Record<string, string> = {}) =>
  request<Cart>('PUT', `/cart/items/${encodeURIComponent(productId)}`, { token, body: { quantity }, headers });
const checkout = (token: string, headers: Record<string, string> = {}, body: unknown = checkoutBody) =>
  api.post<Order>('/cart/checkout', { token, body, headers });

/** Checkout, waiting out the moment the order service has not yet heard of a brand-new product (a 422 changes nothing). */
function checkoutWhenKnown(token: string, headers: Record<string, string> = {}): Promise<Reply<Order>> {
  return eventually('the order service to know the products', async () => {
    const reply = await checkout(token, headers);
    return reply.status === 422 ? undefined : reply;
  });
}

let admin: string;
let mug: string;
let cup: string;

beforeAll(async () => {
  admin = await adminToken();
  [mug, cup] = await Promise.all([stockedProduct(20, 1200), stockedProduct(20, 500)]);
}, 60_000);

describe('GET /products/batch', () => {
  it('answers the active products asked for, in order, and the unknown or archived ids as missing', async () => {
    const archived = await stockedProduct(0, 700);
    expect((await api.delete(`/products/${archived}`, { token: admin })).status).toBe(204);
    const reply = await api.get<{ items: { id: string }[]; missing: string[] }>(`/products/batch?ids=${cup},nope,${archived},${mug},${cup}`);
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((p) => p.id)).toEqual([cup, mug]);
    expect(reply.body.missing).toEqual(['nope', archived]);
  });

  it('refuses no ids, an empty one or more than 50 (400)', async () => {
    expectProblem(await api.get('/products/batch'), 400);
    expectProblem(await api.get('/products/batch?ids='), 400);
    const many = Array.from({ length: 51 }, (_, i) => `id-${i}`).join(',');
    expectProblem(await api.get(`/products/batch?ids=${many}`), 400);
  });
});

describe('the cart', () => {
  it('is for signed-in users only (401 on every route)', async () => {
    expectProblem(await api.get('/cart'), 401);
    expectProblem(await request('PUT', `/cart/items/${mug}`, { body: { quantity: 1 } }), 401);
    expectProblem(await api.delete(`/cart/items/${mug}`), 401);
    expectProblem(await api.delete('/cart'), 401);
    expectProblem(await api.post('/cart/checkout', { body: checkoutBody }), 401);
  });

  it("starts empty, and holds what was put in it at the catalog's names and prices", async () => {
    const { token } = await registerAndLogin('Cart Filler');
    expect((await getCart(token)).body).toMatchObject({ items: [], totalCents: 0, currency: 'USD', version: 0, degraded: [] });
    const first = await putItem(token, mug, 2);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ version: 1, totalCents: 2400, degraded: [] });
    expect(first.body.items).toEqual([{ productId: mug, name: expect.any(String), quantity: 2, unitPriceCents: 1200, lineTotalCents: 2400 }]);
    const second = await putItem(token, cup, 3);
    expect(second.body).toMatchObject({ version: 2, totalCents: 3900 });
    expect((await putItem(token, mug, 1)).body).toMatchObject({ version: 3, totalCents: 2700 });
    expect((await getCart(token)).body).toMatchObject({ version: 3, totalCents: 2700, items: [{ productId: mug, quantity: 1 }, { productId: cup, quantity: 3 }] });
  });

  it('refuses a bad quantity or body (400), an unknown or archived product (422), and changes nothing', async () => {
    const { token } = await registerAndLogin('Cart Refused');
    for (const quantity of [0, 101, 1.5, '2', null]) expectProblem(await putItem(token, mug, quantity), 400);
    expectProblem(await request('PUT', `/cart/items/${mug}`, { token, rawBody: '{"quantity":' }), 400);
    expectProblem(await request('PUT', `/cart/items/${mug}`, { token, body: { quantity: 1, extra: true } }), 400);
    expectProblem(await putItem(token, unique('no-such-product'), 1), 422);
    const archived = await stockedProduct(0, 300);
    await api.delete(`/products/${archived}`, { token: admin });
    const refused = await putItem(token, archived, 1);
    expectProblem(refused, 422);
    expect((await getCart(token)).body).toMatchObject({ items: [], version: 0 });
  });

  it('holds at most 50 distinct products (409 beyond)', async () => {
    const { token } = await registerAndLogin('Cart Hoarder');
    const created: string[] = [];
    // Ten at a time: as many as the offline runtime runs of one function at once.
    for (let batch = 0; batch < 51; batch += 10) {
      created.push(...(await Promise.all(Array.from({ length: Math.min(10, 51 - batch) }, async (_, i) => {
        const reply = await api.post('/products', {
          token: admin, body: { name: `Bead ${batch + i}`, category: unique('beads'), priceCents: 100 + i, currency: 'USD', sku: unique('BEAD') },
        });
        if (reply.status !== 201) throw new Error(`product: ${reply.status} ${reply.text}`);
        return reply.body.id as string;
      }))));
    }
    for (const productId of created.slice(0, 50)) expect((await putItem(token, productId, 1)).status).toBe(200);
    const refused = await putItem(token, created[50]!, 1);
    expectProblem(refused, 409);
    expect((await getCart(token)).body.items).toHaveLength(50);
  }, 90_000);

  it('removes an item (200, also when it was not there) and empties the cart (204)', async () => {
    const { token } = await registerAndLogin('Cart Remover');
    await putItem(token, mug, 1);
    await putItem(token, cup, 1);
    const removed = await api.delete<Cart>(`/cart/items/${mug}`, { token });
    expect(removed.status).toBe(200);
    expect(removed.body.items.map((item) => item.productId)).toEqual([cup]);
    const again = await api.delete<Cart>(`/cart/items/${mug}`, { token });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(removed.body.version);
    const cleared = await api.delete('/cart', { token });
    expect(cleared.status).toBe(204);
    expect(cleared.text).toBe('');
    expect((await getCart(token)).body).toMatchObject({ items: [], totalCents: 0 });
    expect((await api.delete('/cart', { token })).status).toBe(204);
  });
});

describe('the cart when the catalog does not answer', () => {
  it("shows the prices saved when each item was set, with degraded: ['prices'], and the current ones again once it answers", async () => {
    const { token } = await registerAndLogin('Cart Degraded');
    const product = await stockedProduct(5, 1000);
    await putItem(token, product, 2);
    expect((await api.patch(`/products/${product}`, { token: admin, body: { priceCents: 1500 } })).status).toBe(200);
    const degraded = await getCart(token, CATALOG_DOWN);
    expect(degraded.status).toBe(200);
    expect(degraded.body).toMatchObject({ degraded: ['prices'], totalCents: 2000, items: [{ productId: product, unitPriceCents: 1000 }] });
    const current = await getCart(token);
    expect(current.body).toMatchObject({ degraded: [], totalCents: 3000, items: [{ productId: product, unitPriceCents: 1500 }] });
  });

  it('answers a change it cannot confirm with 503 + Retry-After, and leaves the cart as it was', async () => {
    const { token } = await registerAndLogin('Cart Unconfirmed');
    await putItem(token, mug, 1);
    const before = (await getCart(token)).body;
    const refused = await putItem(token, cup, 2, CATALOG_DOWN);
    expectProblem(refused, 503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await getCart(token)).body).toEqual(before);
  });
});

describe('checkout', () => {
  it('refuses an empty cart (409) and a bad body (400)', async () => {
    const { token } = await registerAndLogin('Empty Checkout');
    expectProblem(await checkout(token), 409);
    await putItem(token, mug, 1);
    expectProblem(await checkout(token, {}, { paymentToken: 'tok_visa' }), 400);
    expectProblem(await checkout(token, {}, { ...checkoutBody, shippingAddress: { ...address, country: 'Britain' } }), 400);
    expectProblem(await checkout(token, { 'Idempotency-Key': 'k'.repeat(65) }), 400);
    expect((await getCart(token)).body.items).toHaveLength(1);
  });

  it("places the cart's order as the caller (202 + Location), then empties the cart", async () => {
    const { id, token } = await registerAndLogin('Checker Out');
    await putItem(token, mug, 2);
    await putItem(token, cup, 1);
    const placed = await checkoutWhenKnown(token);
    expect(placed.status).toBe(202);
    expect(placed.headers.get('location')).toBe(`/orders/${placed.body.orderId}`);
    expect(placed.body).toMatchObject({ customerId: id, status: 'PENDING', totalCents: 2900 });
    expect(placed.body.items.map((item) => [item.productId, item.quantity])).toEqual([[mug, 2], [cup, 1]]);
    expect((await api.get<Order>(`/orders/${placed.body.orderId}`, { token })).body.customerId).toBe(id);
    expect((await getCart(token)).body.items).toEqual([]);
    expectProblem(await checkout(token), 409);
  });

  it('names a product archived since it was put in the cart (the cart view leaves it out): 422, the cart unchanged', async () => {
    const { token } = await registerAndLogin('Late Archive');
    const archived = await stockedProduct(5, 800);
    await putItem(token, mug, 1);
    expect((await putItem(token, archived, 2)).status).toBe(200);
    // The order service hears of the product, then of its archiving: wait for each in turn.
    const probe = () => api.post('/orders', {
      token, body: { items: [{ productId: archived, quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: address },
      headers: { 'Idempotency-Key': unique('probe') },
    });
    await eventually('the order service to know the product', async () => ((await probe()).status === 202 ? true : undefined));
    expect((await api.delete(`/products/${archived}`, { token: admin })).status).toBe(204);
    await eventually('the order service to refuse the archived product', async () => ((await probe()).status === 422 ? true : undefined));
    const refused = await checkout(token);
    expectProblem(refused, 422);
    expect(refused.text).toContain(archived);
    expect((refused.body as unknown as { errors: unknown[] }).errors).toEqual([{ path: `cart.items.${archived}`, message: expect.any(String) }]);
    expect((await getCart(token)).body.items.map((item) => item.productId)).toEqual([mug]);
    expect((await api.delete<Cart>(`/cart/items/${archived}`, { token })).status).toBe(200);
    const placed = await checkoutWhenKnown(token);
    expect(placed.status).toBe(202);
    expect(placed.body.items.map((item) => item.productId)).toEqual([mug]);
  });

  it('yields one order for a double click, and the same order again for a retry with the same Idempotency-Key', async () => {
    const { token } = await registerAndLogin('Double Clicker');
    await putItem(token, cup, 1);
    // Until the order service knows the product; each 422 leaves the cart as it was.
    await eventually('the order service to know the product', async () => {
      const probe = await api.post('/orders', { token, body: { items: [{ productId: cup, quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: address }, headers: { 'Idempotency-Key': unique('probe') } });
      return probe.status === 422 ? undefined : true;
    });
    const key = { 'Idempotency-Key': unique('checkout') };
    const [first, second] = await Promise.all([checkout(token, key), checkout(token, key)]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.orderId).toBe(first.body.orderId);
    const retry = await checkout(token, key);
    expect(retry.status).toBe(202);
    expect(retry.body.orderId).toBe(first.body.orderId);
    const orders = await api.get<{ items: Order[] }>('/orders?limit=100', { token });
    expect(orders.body.items.filter((order) => order.items.some((item) => item.productId === cup && item.quantity === 1))).toHaveLength(2);
  });
});
