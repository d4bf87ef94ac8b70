import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, api, eventually, expectProblem, registerAndLogin } from './support/api';
import { orderBody, placeOrder, settled, stockedProduct, type Order } from './support/shop';

interface Notification { id: string; type: string; orderId?: string; subject: string; body: string; read: boolean; createdAt: string }
interface NotificationPage { items: Notification[]; nextCursor: string | null; unreadCount: number }

let admin: string;
beforeAll(async () => {
  admin = await adminToken();
});

const notificationsOf = async (token: string) => (await api.get<NotificationPage>('/notifications?limit=100', { token })).body;

/** Waits until the caller has a notification of `type` (for `orderId`), and returns them all. */
async function notified(token: string, type: string, orderId?: string): Promise<NotificationPage> {
  return eventually(`a ${type} notification`, async () => {
    const page = await notificationsOf(token);
    return page.items.some((n) => n.type === type && (orderId === undefined || n.orderId === orderId)) ? page : undefined;
  });
}

async function confirmedOrder(token: string): Promise<Order> {
  const productId = await stockedProduct(3);
  return settled(token, (await placeOrder(token, orderBody(productId, 'tok_visa'))).body.orderId, ['CONFIRMED']);
}

async function shipment(token: string, orderId: string, status: string) {
  return eventually(`shipment of ${orderId} to be ${status}`, async () => {
    const reply = await api.get(`/shipments/${orderId}`, { token });
    return reply.status === 200 && reply.body.status === status ? reply.body : undefined;
  });
}

describe('the whole journey', () => {
  it('register, browse, order, confirm, dispatch, deliver: with its notifications and a dashboard that shows it', async () => {
    const customer = await registerAndLogin('Journey Customer');
    await notified(customer.token, 'WELCOME');
    expect((await api.get<{ items: unknown[] }>('/products')).body.items.length).toBeGreaterThan(0);

    const order = await confirmedOrder(customer.token);
    await notified(customer.token, 'ORDER_CONFIRMED', order.orderId);
    expect(await shipment(customer.token, order.orderId, 'PREPARING')).toMatchObject({ orderId: order.orderId, shipmentId: expect.any(String) });

    const dispatched = await api.post(`/shipments/${order.orderId}/dispatch`, { token: admin, body: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' } });
    expect(dispatched.status).toBe(200);
    expect(dispatched.body).toMatchObject({ status: 'DISPATCHED', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' });
    await settled(customer.token, order.orderId, ['SHIPPED']);
    const shippedNote = (await notified(customer.token, 'ORDER_SHIPPED', order.orderId)).items.find((n) => n.type === 'ORDER_SHIPPED')!;
    expect(shippedNote.body).toContain('1Z999AA10123456784');

    expect((await api.post(`/shipments/${order.orderId}/deliver`, { token: admin })).body).toMatchObject({ status: 'DELIVERED' });
    const delivered = await settled(customer.token, order.orderId, ['DELIVERED']);
    expect(delivered.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
    const page = await notified(customer.token, 'ORDER_DELIVERED', order.orderId);
    expect(page.items.map((n) => n.type)).toEqual(['ORDER_DELIVERED', 'ORDER_SHIPPED', 'ORDER_CONFIRMED', 'WELCOME']);
    expect(page.unreadCount).toBe(4);

    // Other tests fail sections on purpose (X-Fault-Inject): that never degrades anybody else's dashboard.
    const dashboard = await api.get('/me/dashboard', { token: customer.token });
    expect(dashboard.status).toBe(200);
    expect(dashboard.body).toMatchObject({
      user: { id: customer.id, name: 'Journey Customer' },
      recentOrders: [{ orderId: order.orderId, status: 'DELIVERED' }],
      unreadNotifications: 4,
      degraded: [],
    });
    expectProblem(await api.post(`/orders/${order.orderId}/cancel`, { token: customer.token }), 409);
  });
});

describe('shipping', () => {
  it('enforces the shipment state rules with 409, and admin-only transitions', async () => {
    const customer = await registerAndLogin();
    const order = await confirmedOrder(customer.token);
    await shipment(customer.token, order.orderId, 'PREPARING');
    const path = `/shipments/${order.orderId}`;
    expectProblem(await api.post(`${path}/deliver`, { token: admin }), 409);
    expectProblem(await api.post(`${path}/dispatch`, { token: customer.token, body: { carrier: 'UPS', trackingNumber: 'T1' } }), 403);
    expectProblem(await api.post(`${path}/dispatch`, { body: { carrier: 'UPS', trackingNumber: 'T1' } }), 401);
    expectProblem(await api.post(`${path}/dispatch`, { token: admin, body: { carrier: '' } }), 400);
    expect((await api.post(`${path}/dispatch`, { token: admin, body: { carrier: 'DHL', trackingNumber: 'T1' } })).status).toBe(200);
    expectProblem(await api.post(`${path}/dispatch`, { token: admin, body: { carrier: 'DHL', trackingNumber: 'T2' } }), 409);
    expect((await api.post(`${path}/deliver`, { token: admin })).status).toBe(200);
    expectProblem(await api.post(`${path}/deliver`, { token: admin }), 409);
    expectProblem(await api.get(path, { token: (await registerAndLogin()).token }), 404);
    expect((await api.get(path, { token: admin })).status).toBe(200);
    expectProblem(await api.get('/shipments/01NOSUCHORDER0000000000000', { token: admin }), 404);
    expectProblem(await api.post('/shipments/01NOSUCHORDER0000000000000/dispatch', { token: admin, body: { carrier: 'X', trackingNumber: 'Y' } }), 404);
  });

  it('cancels the shipment of an order cancelled before dispatch, and notifies the customer', async () => {
    const customer = await registerAndLogin();
    const order = await confirmedOrder(customer.token);
    await shipment(customer.token, order.orderId, 'PREPARING');
    expect((await api.post(`/orders/${order.orderId}/cancel`, { token: customer.token })).status).toBe(202);
    await settled(customer.token, order.orderId, ['CANCELLED']);
    await shipment(customer.token, order.orderId, 'CANCELLED');
    await notified(customer.token, 'ORDER_CANCELLED', order.orderId);
    expectProblem(await api.post(`/shipments/${order.orderId}/dispatch`, { token: admin, body: { carrier: 'UPS', trackingNumber: 'T' } }), 409);
  });

  it('refuses to cancel a shipped order', async () => {
    const customer = await registerAndLogin();
    const order = await confirmedOrder(customer.token);
    await shipment(customer.token, order.orderId, 'PREPARING');
    await api.post(`/shipments/${order.orderId}/dispatch`, { token: admin, body: { carrier: 'UPS', trackingNumber: 'T' } });
    await settled(customer.token, order.orderId, ['SHIPPED']);
    expectProblem(await api.post(`/orders/${order.orderId}/cancel`, { token: customer.token }), 409);
  });
});

describe('notifications', () => {
  it('notifies a rejection, pages newest first, and shows only the caller\'s', async () => {
    const customer = await registerAndLogin();
    const productId = await stockedProduct(0);
    const order = await settled(customer.token, (await placeOrder(customer.token, orderBody(productId, 'tok_visa'))).body.orderId);
    expect(order.status).toBe('REJECTED');
    await notified(customer.token, 'ORDER_REJECTED', order.orderId);
    const first = await api.get<NotificationPage>('/notifications?limit=1', { token: customer.token });
    expect(first.body.items.map((n) => n.type)).toEqual(['ORDER_REJECTED']);
    expect(first.body.unreadCount).toBe(2);
    const second = await api.get<NotificationPage>(`/notifications?limit=1&cursor=${encodeURIComponent(first.body.nextCursor!)}`, { token: customer.token });
    expect(second.body.items.map((n) => n.type)).toEqual(['WELCOME']);
    expect(second.body.nextCursor).toBeNull();
    expect((await notificationsOf((await registerAndLogin()).token)).items.some((n) => n.orderId === order.orderId)).toBe(false);
    expectProblem(await api.get('/notifications'), 401);
    expectProblem(await api.get(`/notifications?cursor=${first.body.nextCursor}x`, { token: customer.token }), 400);
  });
});

describe('the dashboard', () => {
  it('leaves out a failing section and names it in degraded, still 200', async () => {
    const customer = await registerAndLogin('Degraded');
    const reply = await api.get('/me/dashboard', { token: customer.token, headers: { 'X-Fault-Inject': 'recentOrders' } });
    expect(reply.status).toBe(200);
    expect(reply.body.degraded).toEqual(['recentOrders']);
    expect(reply.body).not.toHaveProperty('recentOrders');
    expect(reply.body).toMatchObject({ user: { name: 'Degraded' } });
    expectProblem(await api.get('/me/dashboard'), 401);
  });
});
