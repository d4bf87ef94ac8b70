import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, api, eventually, expectProblem, registerAndLogin, unique } from './support/api';
import { address, orderBody, placeOrder, settled, stockedProduct, stockOf, type Order } from './support/shop';

let customer: { id: string; token: string };
let admin: string;

beforeAll(async () => {
  customer = await registerAndLogin();
  admin = await adminToken();
});

describe('placing orders through each payment token', () => {
  it.each([
    ['tok_visa', 'CONFIRMED', undefined, 'CAPTURED', 1],
    ['tok_mastercard', 'CONFIRMED', undefined, 'CAPTURED', 1],
    ['tok_error_once', 'CONFIRMED', undefined, 'CAPTURED', 2],
    ['tok_decline', 'CANCELLED', 'PAYMENT_DECLINED', 'DECLINED', 1],
    ['tok_insufficient_funds', 'CANCELLED', 'PAYMENT_DECLINED', 'DECLINED', 1],
    ['tok_something_unknown', 'CANCELLED', 'PAYMENT_DECLINED', 'DECLINED', 1],
  ])('%s → %s %s', async (token, status, reason, paymentStatus, attempts) => {
    const productId = await stockedProduct(5, 1250);
    const placed = await placeOrder(customer.token, orderBody(productId, token, 2));
    expect(placed.status).toBe(202);
    expect(placed.body).toMatchObject({ status: 'PENDING', totalCents: 2500, customerId: customer.id });
    expect(placed.headers.get('location')).toBe(`/orders/${placed.body.orderId}`);

    const order = await settled(customer.token, placed.body.orderId);
    expect(order.status).toBe(status);
    expect(order.statusReason).toBe(reason);
    expect(order.items).toEqual([{ productId, name: expect.any(String), quantity: 2, unitPriceCents: 1250 }]);
    expect(order.history.map((h) => h.status)).toEqual(['PENDING', status]);

    const payment = await api.get(`/payments/${order.orderId}`, { token: customer.token });
    expect(payment.body).toMatchObject({ orderId: order.orderId, status: paymentStatus, amountCents: 2500, currency: 'USD', attempts });
    const stock = await stockOf(productId);
    expect(stock).toMatchObject(status === 'CONFIRMED' ? { available: 3, reserved: 0 } : { available: 5, reserved: 0 });
  });

  it('tok_unavailable: retried, then CANCELLED with PAYMENT_UNAVAILABLE and the stock returned', async () => {
    const productId = await stockedProduct(2);
    const placed = await placeOrder(customer.token, orderBody(productId, 'tok_unavailable'));
    const order = await settled(customer.token, placed.body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', statusReason: 'PAYMENT_UNAVAILABLE' });
    const payment = await api.get(`/payments/${order.orderId}`, { token: customer.token });
    expect(payment.body.status).toBe('FAILED');
    expect(payment.body.attempts as number).toBeGreaterThan(1);
    expect(await stockOf(productId)).toMatchObject({ available: 2, reserved: 0 });
  });

  it('rejects an order that exceeds the stock, changing no stock', async () => {
    const productId = await stockedProduct(1);
    const placed = await placeOrder(customer.token, orderBody(productId, 'tok_visa', 2));
    const order = await settled(customer.token, placed.body.orderId);
    expect(order).toMatchObject({ status: 'REJECTED', statusReason: 'OUT_OF_STOCK' });
    expect(await stockOf(productId)).toMatchObject({ available: 1, reserved: 0 });
    expectProblem(await api.get(`/payments/${order.orderId}`, { token: customer.token }), 404);
  });

  it('8 parallel orders of 1 unit against stock 3: exactly 3 CONFIRMED, 5 REJECTED, nothing left or held', async () => {
    const productId = await stockedProduct(3);
    await placeOrder(customer.token, orderBody(productId, 'tok_decline')); // the orders copy of the product exists from here on
    const buyers = await Promise.all(Array.from({ length: 8 }, () => registerAndLogin()));
    const placed = await Promise.all(buyers.map((buyer) => api.post<Order>('/orders', { token: buyer.token, body: orderBody(productId, 'tok_visa') })));
    expect(placed.map((p) => p.status)).toEqual(Array(8).fill(202));
    const orders = await Promise.all(placed.map((p, i) => settled(buyers[i]!.token, p.body.orderId, undefined, 60_000)));
    const statuses = orders.map((o) => o.status).sort();
    expect(statuses).toEqual([...Array(3).fill('CONFIRMED'), ...Array(5).fill('REJECTED')]);
    await eventually('the first order to have released its stock', async () => {
      const stock = await stockOf(productId);
      return stock.reserved === 0 ? stock : undefined;
    });
    expect(await stockOf(productId)).toMatchObject({ available: 0, reserved: 0 });
  });
});

describe('POST /orders', () => {
  it('replays the first answer for the same Idempotency-Key and body, 409 for another body', async () => {
    const productId = await stockedProduct(5);
    const key = unique('key');
    const first = await placeOrder(customer.token, orderBody(productId, 'tok_visa'), { 'Idempotency-Key': key });
    const again = await api.post<Order>('/orders', { token: customer.token, body: orderBody(productId, 'tok_visa'), headers: { 'Idempotency-Key': key } });
    expect(again.status).toBe(202);
    expect(again.body.orderId).toBe(first.body.orderId);
    expectProblem(await api.post('/orders', { token: customer.token, body: orderBody(productId, 'tok_visa', 2), headers: { 'Idempotency-Key': key } }), 409);
    await settled(customer.token, first.body.orderId);
    expect(await stockOf(productId)).toMatchObject({ available: 4 });
    const other = await registerAndLogin();
    const sameKeyOtherCustomer = await api.post<Order>('/orders', { token: other.token, body: orderBody(productId, 'tok_visa'), headers: { 'Idempotency-Key': key } });
    expect(sameKeyOtherCustomer.status).toBe(202);
    expect(sameKeyOtherCustomer.body.orderId).not.toBe(first.body.orderId);
  });

  it('answers 422 for an unknown or archived product', async () => {
    expectProblem(await api.post('/orders', { token: customer.token, body: orderBody('01UNKNOWNPRODUCT0000000000', 'tok_visa') }), 422);
    const productId = await stockedProduct(1);
    await placeOrder(customer.token, orderBody(productId, 'tok_decline'));
    expect((await api.delete(`/products/${productId}`, { token: admin })).status).toBe(204);
    await eventually('the archive to reach orders', async () => {
      const reply = await api.post('/orders', { token: customer.token, body: orderBody(productId, 'tok_visa') });
      return reply.status === 422 ? reply : undefined;
    });
  });

  it('answers 400 for invalid orders and 401 without a token', async () => {
    const productId = await stockedProduct(0);
    const invalid = [
      orderBody(productId, 'tok_visa', 0),
      orderBody(productId, 'tok_visa', 101),
      { ...orderBody(productId, 'tok_visa'), items: [] },
      { ...orderBody(productId, 'tok_visa'), items: Array.from({ length: 51 }, (_, i) => ({ productId: `p${i}`, quantity: 1 })) },
      { ...orderBody(productId, 'tok_visa'), items: [{ productId, quantity: 1 }, { productId, quantity: 2 }] },
      { ...orderBody(productId, 'tok_visa'), shippingAddress: { ...address, country: 'Britain' } },
      { ...orderBody(productId, 'tok_visa'), shippingAddress: { ...address, country: 'XX' } },
      { items: [{ productId, quantity: 1 }], paymentToken: 'tok_visa' },
    ];
    for (const body of invalid) expectProblem(await api.post('/orders', { token: customer.token, body }), 400);
    expectProblem(await api.post('/orders', { token: customer.token, body: orderBody(productId, 'tok_visa'), headers: { 'Idempotency-Key': 'x'.repeat(65) } }), 400);
    expectProblem(await api.post('/orders', { body: orderBody(productId, 'tok_visa') }), 401);
  });
});

describe('reading orders', () => {
  it('shows an order to its owner and admins only, and lists the caller\'s orders newest first', async () => {
    const buyer = await registerAndLogin();
    const productId = await stockedProduct(3);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await placeOrder(buyer.token, orderBody(productId, 'tok_visa'))).body.orderId);
    expect((await api.get(`/orders/${ids[0]}`, { token: admin })).status).toBe(200);
    expectProblem(await api.get(`/orders/${ids[0]}`, { token: customer.token }), 404);
    expectProblem(await api.get(`/orders/${ids[0]}`), 401);
    expectProblem(await api.get('/orders/01NOSUCHORDER0000000000000', { token: buyer.token }), 404);

    const first = await api.get<{ items: Order[]; nextCursor: string }>('/orders?limit=2', { token: buyer.token });
    expect(first.body.items.map((o) => o.orderId)).toEqual([ids[2], ids[1]]);
    const second = await api.get<{ items: Order[]; nextCursor: string | null }>(`/orders?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: buyer.token });
    expect(second.body.items.map((o) => o.orderId)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeNull();
    expectProblem(await api.get(`/orders?cursor=${first.body.nextCursor}x`, { token: buyer.token }), 400);
    expect((await api.get<{ items: Order[] }>('/orders', { token: customer.token })).body.items.map((o) => o.orderId)).not.toContain(ids[0]);
  });
});

describe('cancelling orders', () => {
  it('cancels a CONFIRMED order: refund, stock returned, CANCELLED by CUSTOMER_REQUEST; a second cancel is 409', async () => {
    const productId = await stockedProduct(4);
    const placed = await placeOrder(customer.token, orderBody(productId, 'tok_visa', 3));
    await settled(customer.token, placed.body.orderId, ['CONFIRMED']);
    expect(await stockOf(productId)).toMatchObject({ available: 1, reserved: 0 });
    expectProblem(await api.post(`/orders/${placed.body.orderId}/cancel`, { token: (await registerAndLogin()).token }), 404);
    const cancel = await api.post(`/orders/${placed.body.orderId}/cancel`, { token: customer.token });
    expect(cancel.status).toBe(202);
    const order = await settled(customer.token, placed.body.orderId, ['CANCELLED']);
    expect(order.statusReason).toBe('CUSTOMER_REQUEST');
    expect(order.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);
    expect((await api.get(`/payments/${order.orderId}`, { token: customer.token })).body.status).toBe('REFUNDED');
    expect(await stockOf(productId)).toMatchObject({ available: 4, reserved: 0 });
    expectProblem(await api.post(`/orders/${order.orderId}/cancel`, { token: customer.token }), 409);
  });

  it('cancels a PENDING order whose saga is under way: the saga compensates what it did', async () => {
    const productId = await stockedProduct(2);
    // tok_error_once keeps the saga in its payment retry long enough to cancel while PENDING.
    const placed = await placeOrder(customer.token, orderBody(productId, 'tok_error_once'));
    // The saga starts from OrderPlaced: wait until it has reached the payment.
    await eventually('the saga to reach the payment', async () =>
      (await api.get(`/payments/${placed.body.orderId}`, { token: customer.token })).status === 200 ? true : undefined);
    const cancel = await api.post<Order>(`/orders/${placed.body.orderId}/cancel`, { token: customer.token });
    expect(cancel.status).toBe(202);
    const order = await settled(customer.token, placed.body.orderId, ['CANCELLED']);
    expect(order.statusReason).toBe('CUSTOMER_REQUEST');
    expect(await stockOf(productId)).toMatchObject({ available: 2, reserved: 0 });
    expect((await api.get(`/payments/${order.orderId}`, { token: customer.token })).body.status).toBe('REFUNDED');
  });

  it('cancels a PENDING order at once: CANCELLED by CUSTOMER_REQUEST, nothing held, and nothing charged that is not refunded', async () => {
    const productId = await stockedProduct(2);
    const placed = await placeOrder(customer.token, orderBody(productId, 'tok_visa'));
    // Usually before its saga has started (it starts from OrderPlaced): then it never does.
    const cancel = await api.post<Order>(`/orders/${placed.body.orderId}/cancel`, { token: customer.token });
    expect(cancel.status).toBe(202);
    const order = await settled(customer.token, placed.body.orderId, ['CANCELLED']);
    expect(order.statusReason).toBe('CUSTOMER_REQUEST');
    expect(await stockOf(productId)).toMatchObject({ available: 2, reserved: 0 });
    const payment = await api.get(`/payments/${order.orderId}`, { token: customer.token });
    if (payment.status !== 404) expect(payment.body.status).toBe('REFUNDED');
  });

  it('answers 409 for a REJECTED order, and lets an admin cancel', async () => {
    const productId = await stockedProduct(0);
    const rejected = await settled(customer.token, (await placeOrder(customer.token, orderBody(productId, 'tok_visa'))).body.orderId);
    expect(rejected.status).toBe('REJECTED');
    expectProblem(await api.post(`/orders/${rejected.orderId}/cancel`, { token: customer.token }), 409);

    const other = await stockedProduct(1);
    const confirmed = await settled(customer.token, (await placeOrder(customer.token, orderBody(other, 'tok_visa'))).body.orderId, ['CONFIRMED']);
    expect((await api.post(`/orders/${confirmed.orderId}/cancel`, { token: admin })).status).toBe(202);
    await settled(customer.token, confirmed.orderId, ['CANCELLED']);
  });
});
