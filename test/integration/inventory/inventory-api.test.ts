import { beforeAll, describe, expect, it } from 'vitest';
import { StockRecord } from '../../../functions/contracts/api/inventory';
import { StockReplenished } from '../../../functions/contracts/events/inventory';
import { call } from '../../support/http';
import { errorPaths, problem } from '../../support/problem';
import {
  admin, customer, deliver, type Env, getStock, type Handlers, inventoryFixture, newProductId, outboxEvents,
  productCreatedEvent, restock, stockedProduct, stockOf,
} from './fixture';

let env: Env;
let handlers: Handlers;

beforeAll(async () => ({ env, handlers } = await inventoryFixture()));

const replenished = async (productId: string) =>
  (await outboxEvents(env, StockReplenished)).filter((e) => e.detail.data.productId === productId);

describe('ProductCreated', () => {
  it('creates a stock record with nothing available or reserved', async () => {
    const productId = newProductId();
    await deliver(handlers, productCreatedEvent(productId));
    const response = await getStock(handlers, productId);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ productId, available: 0, reserved: 0, updatedAt: expect.any(String) });
  });

  it('is idempotent: a second delivery of the same event, or another event for the product, changes nothing', async () => {
    const productId = newProductId();
    const event = productCreatedEvent(productId);
    await deliver(handlers, event);
    const first = (await getStock(handlers, productId)).body;
    await deliver(handlers, event);
    await deliver(handlers, productCreatedEvent(productId));
    expect((await getStock(handlers, productId)).body).toEqual(first);
  });

  it('never resets a product that was restocked since', async () => {
    const productId = await stockedProduct(handlers, 7);
    const before = (await getStock(handlers, productId)).body;
    await deliver(handlers, productCreatedEvent(productId));
    expect((await getStock(handlers, productId)).body).toEqual(before);
    expect(before.available).toBe(7);
  });

  it('fails, so Lambda retries and dead-letters it, on an event that breaks the contract', async () => {
    const productId = newProductId();
    const event = productCreatedEvent(productId);
    const broken = { ...event, detail: { ...(event.detail as object), data: { productId } } };
    await expect(deliver(handlers, broken)).rejects.toThrow();
    expect((await getStock(handlers, productId)).status).toBe(404);
  });
});

describe('GET /inventory/{productId}', () => {
  it('answers 200 with the stock record, to anyone, without a token', async () => {
    const productId = await stockedProduct(handlers, 3);
    const response = await getStock(handlers, productId);
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(StockRecord.parse(response.body)).toEqual(response.body);
    expect(response.body).toMatchObject({ productId, available: 3, reserved: 0 });
    expect((await getStock(handlers, productId, customer)).body).toEqual(response.body);
  });

  it('answers 404 for a product inventory never heard of', async () => {
    const response = await getStock(handlers, newProductId());
    expect(response.status).toBe(404);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(problem(response).status).toBe(404);
  });
});

describe('POST /inventory/{productId}/restock', () => {
  it('adds the quantity and answers 200 with the record after the change', async () => {
    const productId = await stockedProduct(handlers, 0);
    const before = (await getStock(handlers, productId)).body;
    const response = await restock(handlers, productId, { quantity: 12 });
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.body).toEqual({ productId, available: 12, reserved: 0, updatedAt: expect.any(String) });
    expect(response.body.updatedAt >= before.updatedAt).toBe(true);
    expect((await getStock(handlers, productId)).body).toEqual(response.body);

    const again = await restock(handlers, productId, { quantity: 3 });
    expect(again.body).toMatchObject({ available: 15, reserved: 0 });
  });

  it('records StockReplenished with the new available count and the request correlation id', async () => {
    const productId = await stockedProduct(handlers, 0);
    await call(handlers.restock, {
      method: 'POST', resource: '/inventory/{productId}/restock', path: `/inventory/${productId}/restock`,
      pathParameters: { productId }, body: { quantity: 4 }, headers: { ...admin, 'X-Correlation-Id': 'restock-trace-1' },
    });
    await restock(handlers, productId, { quantity: 6 });
    const events = await replenished(productId);
    expect(events.map((e) => e.detail.data)).toEqual([{ productId, available: 4 }, { productId, available: 10 }]);
    expect(events[0]!.source).toBe(StockReplenished.source);
    expect(events[0]!.detail.metadata.correlationId).toBe('restock-trace-1');
  });

  it('accepts the bounds 1 and 1000000', async () => {
    const productId = await stockedProduct(handlers, 0);
    expect((await restock(handlers, productId, { quantity: 1 })).status).toBe(200);
    expect((await restock(handlers, productId, { quantity: 1_000_000 })).body.available).toBe(1_000_001);
  });

  it('answers 404 for a product without a stock record, and records nothing', async () => {
    const productId = newProductId();
    const response = await restock(handlers, productId, { quantity: 5 });
    expect(response.status).toBe(404);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect((await getStock(handlers, productId)).status).toBe(404);
    expect(await replenished(productId)).toEqual([]);
  });

  it.each([
    ['zero', { quantity: 0 }, ['body.quantity']],
    ['negative', { quantity: -5 }, ['body.quantity']],
    ['over 1000000', { quantity: 1_000_001 }, ['body.quantity']],
    ['fractional', { quantity: 1.5 }, ['body.quantity']],
    ['a string', { quantity: '5' }, ['body.quantity']],
    ['missing', {}, ['body.quantity']],
    ['with an unknown field', { quantity: 5, available: 100 }, ['body']],
  ])('answers 400 for a quantity %s, and changes nothing', async (_label, body, paths) => {
    const productId = await stockedProduct(handlers, 2);
    const response = await restock(handlers, productId, body);
    expect(response.status).toBe(400);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(errorPaths(response)).toEqual(paths);
    expect(await stockOf(handlers, productId)).toEqual({ available: 2, reserved: 0 });
  });

  it('answers 400 for a missing or malformed body', async () => {
    const productId = await stockedProduct(handlers, 0);
    expect((await restock(handlers, productId, undefined)).status).toBe(400);
    const malformed = await call(handlers.restock, {
      method: 'POST', resource: '/inventory/{productId}/restock', path: `/inventory/${productId}/restock`,
      pathParameters: { productId }, rawBody: '{"quantity":', headers: admin,
    });
    expect(malformed.status).toBe(400);
    expect(problem(malformed).type).toContain('malformed-json');
  });

  it('answers 401 without a token or with a malformed one', async () => {
    const productId = await stockedProduct(handlers, 0);
    for (const headers of [{}, { Authorization: 'Bearer not.a.jwt' }] as Record<string, string>[]) {
      const response = await restock(handlers, productId, { quantity: 5 }, headers);
      expect(response.status).toBe(401);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
    }
    expect(await stockOf(handlers, productId)).toEqual({ available: 0, reserved: 0 });
  });

  it('answers 403 for a customer, before validating the body, and changes nothing', async () => {
    const productId = await stockedProduct(handlers, 0);
    expect((await restock(handlers, productId, { quantity: 5 }, customer)).status).toBe(403);
    expect((await restock(handlers, productId, { bogus: true }, customer)).status).toBe(403);
    expect(await stockOf(handlers, productId)).toEqual({ available: 0, reserved: 0 });
    expect(await replenished(productId)).toEqual([]);
  });

  it('loses no units under parallel restocks: every 200 is counted once, in its own event', async () => {
    const productId = await stockedProduct(handlers, 0);
    const responses = await Promise.all(Array.from({ length: 6 }, () => restock(handlers, productId, { quantity: 10 })));
    for (const response of responses) expect([200, 409], JSON.stringify(response.body)).toContain(response.status);
    const successes = responses.filter((r) => r.status === 200);
    expect(successes.length).toBeGreaterThan(0);
    expect(await stockOf(handlers, productId)).toEqual({ available: 10 * successes.length, reserved: 0 });
    const counts = successes.map((r) => r.body.available).sort((a, b) => a - b);
    expect(counts).toEqual(successes.map((_, i) => 10 * (i + 1)));
    expect((await replenished(productId)).map((e) => e.detail.data.available).sort((a, b) => a - b)).toEqual(counts);
  });
});
