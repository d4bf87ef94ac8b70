import { beforeAll, describe, expect, it } from 'vitest';
import { adminToken, api, expectProblem, registerAndLogin } from './support/api';
import { orderBody, placeOrder, settled, stockedProduct } from './support/shop';

let admin: string;
let customer: { token: string };

beforeAll(async () => {
  admin = await adminToken();
  customer = await registerAndLogin();
});

describe('inventory', () => {
  it('creates a stock record at 0 for a new product and restocks it as admin', async () => {
    const productId = await stockedProduct(0);
    expect((await api.get(`/inventory/${productId}`)).body).toMatchObject({ productId, available: 0, reserved: 0 });
    const restocked = await api.post(`/inventory/${productId}/restock`, { token: admin, body: { quantity: 7 } });
    expect(restocked.status).toBe(200);
    expect(restocked.body).toMatchObject({ productId, available: 7, reserved: 0, updatedAt: expect.any(String) });
  });

  it('guards restock: 400, 401, 403, 404', async () => {
    const productId = await stockedProduct(0);
    expectProblem(await api.post(`/inventory/${productId}/restock`, { token: admin, body: { quantity: 0 } }), 400);
    expectProblem(await api.post(`/inventory/${productId}/restock`, { token: admin, body: { quantity: 1_000_001 } }), 400);
    expectProblem(await api.post(`/inventory/${productId}/restock`, { body: { quantity: 1 } }), 401);
    expectProblem(await api.post(`/inventory/${productId}/restock`, { token: customer.token, body: { quantity: 1 } }), 403);
    expectProblem(await api.post('/inventory/01NOSUCHPRODUCT00000000000/restock', { token: admin, body: { quantity: 1 } }), 404);
    expectProblem(await api.get('/inventory/01NOSUCHPRODUCT00000000000'), 404);
  });
});

describe('payments', () => {
  it('shows a payment to its customer and admins, 404 to others, 401 without a token', async () => {
    const productId = await stockedProduct(1);
    const order = await settled(customer.token, (await placeOrder(customer.token, orderBody(productId, 'tok_visa'))).body.orderId);
    expect((await api.get(`/payments/${order.orderId}`, { token: customer.token })).status).toBe(200);
    expect((await api.get(`/payments/${order.orderId}`, { token: admin })).status).toBe(200);
    expectProblem(await api.get(`/payments/${order.orderId}`, { token: (await registerAndLogin()).token }), 404);
    expectProblem(await api.get(`/payments/${order.orderId}`), 401);
    expectProblem(await api.get('/payments/01NOSUCHORDER0000000000000', { token: admin }), 404);
  });
});
