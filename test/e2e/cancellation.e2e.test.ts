import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, api, eventually, expectProblem, registerAndLogin } from './support/api';
import { orderBody, placeOrder, settled, stockedProduct, stockOf, type Order } from './support/shop';

let admin: string;
let customer: { token: string };
beforeAll(async () => {
  admin = await adminToken();
  customer = await registerAndLogin('Cancelling Customer');
});

const carriage = { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' };

/** A CONFIRMED order of one unit, from a product with `stock` units. */
async function confirmedOrder(stock: number): Promise<{ order: Order; productId: string }> {
  const productId = await stockedProduct(stock);
  const placed = await placeOrder(customer.token, orderBody(productId, 'tok_visa'));
  return { order: await settled(customer.token, placed.body.orderId, ['CONFIRMED']), productId };
}

const shipmentOf = async (orderId: string) => (await api.get(`/shipments/${orderId}`, { token: customer.token })).body;
const paymentOf = async (orderId: string) => (await api.get(`/payments/${orderId}`, { token: customer.token })).body;

describe('cancelling a CONFIRMED order against its shipment', () => {
  it('refuses (409) a cancel right after the dispatch, before the order has heard of it: nothing refunded or returned', async () => {
    const { order, productId } = await confirmedOrder(3);
    await eventually('the shipment to be PREPARING', async () => ((await shipmentOf(order.orderId)).status === 'PREPARING' ? true : undefined));
    const before = await stockOf(productId);
    expect(before).toMatchObject({ available: 2, reserved: 0 });

    expect((await api.post(`/shipments/${order.orderId}/dispatch`, { token: admin, body: carriage })).status).toBe(200);
    const cancel = await api.post(`/orders/${order.orderId}/cancel`, { token: customer.token });
    expectProblem(cancel, 409);
    expect(cancel.body.type).toContain('order-not-cancellable');

    // Once the order has followed its shipment, nothing else has happened either.
    const shipped = await settled(customer.token, order.orderId, ['SHIPPED']);
    expect(shipped.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED']);
    expect((await paymentOf(order.orderId)).status).toBe('CAPTURED');
    expect(await stockOf(productId)).toEqual(before);
    expect(await shipmentOf(order.orderId)).toMatchObject({ status: 'DISPATCHED', ...carriage });
  });

  it('refuses (409) a dispatch right after the cancel: the cancel claimed the shipment, then refunded and returned the stock', async () => {
    const { order, productId } = await confirmedOrder(2);
    // No wait for the shipment: the cancel may come before shipping has heard of the confirmation.
    expect((await api.post(`/orders/${order.orderId}/cancel`, { token: customer.token })).status).toBe(202);
    expectProblem(await api.post(`/shipments/${order.orderId}/dispatch`, { token: admin, body: carriage }), 409);

    const cancelled = await settled(customer.token, order.orderId, ['CANCELLED']);
    expect(cancelled).toMatchObject({ statusReason: 'CUSTOMER_REQUEST' });
    expect(cancelled.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);
    expect((await paymentOf(order.orderId)).status).toBe('REFUNDED');
    expect(await stockOf(productId)).toMatchObject({ available: 2, reserved: 0 });
    expect((await shipmentOf(order.orderId)).status).toBe('CANCELLED');
    expectProblem(await api.post(`/shipments/${order.orderId}/dispatch`, { token: admin, body: carriage }), 409);
  });
});
