import { adminToken, api, eventually, unique } from './api';

export interface Order {
  orderId: string;
  customerId: string;
  status: string;
  statusReason?: string;
  items: { productId: string; name: string; quantity: number; unitPriceCents: number }[];
  totalCents: number;
  history: { status: string; reason?: string; at: string }[];
}

export const address = { name: 'Ada Lovelace', line1: '1 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };

/** A new product with `stock` units, once inventory and orders have both learned of it. */
export async function stockedProduct(stock: number, priceCents = 1000): Promise<string> {
  const admin = await adminToken();
  const created = await api.post('/products', {
    token: admin,
    body: { name: unique('Widget'), category: unique('e2e'), priceCents, currency: 'USD', sku: unique('W') },
  });
  if (created.status !== 201) throw new Error(`product: ${created.status} ${created.text}`);
  const productId = created.body.id as string;
  // Through the stream, the relay, the bus and inventory's consumer: a second at most on a quiet
  // machine, more than 10 s on a host three times slower (seen once in a fresh `npm test`).
  await eventually('the stock record', async () => ((await api.get(`/inventory/${productId}`)).status === 200 ? true : undefined), { timeoutMs: 30_000 });
  if (stock > 0) {
    const restocked = await api.post(`/inventory/${productId}/restock`, { token: admin, body: { quantity: stock } });
    if (restocked.status !== 200) throw new Error(`restock: ${restocked.status} ${restocked.text}`);
  }
  return productId;
}

/**
 * Places an order, waiting out the moment in which the orders context has not yet heard of a
 * brand-new product (its copy comes from ProductCreated): a 422 changes nothing, so it is retried.
 */
export async function placeOrder(token: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return eventually('the order to be accepted', async () => {
    const reply = await api.post<Order>('/orders', { token, body, headers });
    return reply.status === 422 ? undefined : reply;
  });
}

export function orderBody(productId: string, paymentToken: string, quantity = 1) {
  return { items: [{ productId, quantity }], paymentToken, shippingAddress: address };
}

export const SETTLED = ['CONFIRMED', 'REJECTED', 'CANCELLED'];

/** Polls the order until the saga has settled it (or `statuses`). */
export async function settled(token: string, orderId: string, statuses = SETTLED, timeoutMs = 30_000): Promise<Order> {
  return eventually(
    `order ${orderId} to reach ${statuses.join('/')}`,
    async () => {
      const reply = await api.get<Order>(`/orders/${orderId}`, { token });
      return statuses.includes(reply.body.status) ? reply.body : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

export async function stockOf(productId: string): Promise<{ available: number; reserved: number }> {
  return (await api.get<{ available: number; reserved: number }>(`/inventory/${productId}`)).body;
}
