import { beforeAll, describe, expect, it } from 'vitest';
import { LOW_STOCK_THRESHOLD } from '../../functions/inventory/domain/stock';
import { adminToken, api, eventually, registerAndLogin, unique } from './support/api';
import { publishedEvents } from './support/events';
import { address, placeOrder, settled, stockOf } from './support/shop';

const LINES = 50; // the most lines an order may have
const QUANTITY = 2;

let customer: { id: string; token: string };

beforeAll(async () => {
  customer = await registerAndLogin();
});

/**
 * `count` products with `stock` units each, created and restocked with one admin login, one
 * request at a time: the suite's other files share the stage's throttle and the login limit.
 */
async function stockedProducts(count: number, stock: number): Promise<string[]> {
  const admin = await adminToken();
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const created = await api.post('/products', {
      token: admin,
      body: { name: unique('Bulk'), category: unique('e2e'), priceCents: 500, currency: 'USD', sku: unique('B') },
    });
    expect(created.status, created.text).toBe(201);
    ids.push(created.body.id as string);
  }
  for (const productId of ids) {
    await eventually('the stock record', async () => ((await api.get(`/inventory/${productId}`)).status === 200 ? true : undefined));
    const restocked = await api.post(`/inventory/${productId}/restock`, { token: admin, body: { quantity: stock } });
    expect(restocked.status, restocked.text).toBe(200);
  }
  return ids;
}

describe('the largest order', () => {
  it(`${LINES} lines, each taking its product below the low-stock threshold: CONFIRMED, and every StockLow published`, async () => {
    // Just above the threshold: the order takes each product below it.
    const productIds = await stockedProducts(LINES, LOW_STOCK_THRESHOLD + 1);
    const body = { items: productIds.map((productId) => ({ productId, quantity: QUANTITY })), paymentToken: 'tok_visa', shippingAddress: address };
    const placed = await placeOrder(customer.token, body);
    expect(placed.status).toBe(202);

    const order = await settled(customer.token, placed.body.orderId, undefined, 60_000);
    expect(order.status).toBe('CONFIRMED');
    expect(order.items).toHaveLength(LINES);
    const left = LOW_STOCK_THRESHOLD + 1 - QUANTITY;
    for (const productId of [productIds[0]!, productIds[LINES - 1]!]) {
      expect(await stockOf(productId)).toMatchObject({ available: left, reserved: 0 });
    }

    // Offline only: a deployed bus cannot be read over HTTP.
    if (publishedEvents() === undefined) return;
    const lowOf = () => (publishedEvents('StockLow') ?? []).filter((event) => productIds.includes(event.detail.data.productId as string));
    const low = await eventually('a StockLow for every product', async () => {
      const seen = lowOf();
      return new Set(seen.map((event) => event.detail.data.productId)).size === LINES ? seen : undefined;
    });
    expect(new Set(low.map((event) => event.detail.data.productId))).toEqual(new Set(productIds));
    expect(new Set(low.map((event) => event.detail.metadata.eventId)).size).toBe(LINES);
    for (const event of low) expect(event.detail.data).toMatchObject({ available: left, threshold: LOW_STOCK_THRESHOLD });
  }, 240_000);
});
