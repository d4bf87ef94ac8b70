import { beforeAll, describe, expect, it, vi } from 'vitest';
import { StockLow, StockReleased, StockReserved } from '../../../functions/contracts/events/inventory';
import { SagaError } from '../../../functions/contracts/saga';
import { documentClient } from '../../../functions/shared/dynamo/document-client';
import {
  type Env, type Handlers, inventoryFixture, newOrderId, newProductId, outboxEvents, restock, step, stockedProduct,
  stockOf,
} from './fixture';

let env: Env;
let handlers: Handlers;

beforeAll(async () => ({ env, handlers } = await inventoryFixture()));

type Line = { productId: string; quantity: number };
const correlationId = 'saga-corr-1';
const reserve = (orderId: string, items: Line[]) => step(handlers.reserve, { orderId, correlationId, items });
const release = (orderId: string, reason = 'PAYMENT_DECLINED') => step(handlers.release, { orderId, correlationId, reason });
const commit = (orderId: string) => step(handlers.commit, { orderId, correlationId });
const giveBack = (orderId: string) => step(handlers.return, { orderId, correlationId });

const outOfStock = expect.objectContaining({ name: SagaError.OutOfStock });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the state machine does with ReserveStock: retry TransientError with backoff and jitter, stop on anything else. */
async function reserveAsTheSagaWould(orderId: string, items: Line[]): Promise<{ outcome?: string; error?: string; transients: number }> {
  for (let transients = 0; transients < 30; transients += 1) {
    try {
      return { outcome: (await reserve(orderId, items)).outcome, transients };
    } catch (error) {
      const name = (error as Error).name;
      if (name !== SagaError.Transient) return { error: name, transients };
      await sleep(5 + Math.random() * 20 * (transients + 1));
    }
  }
  throw new Error(`Order ${orderId} kept failing with ${SagaError.Transient}`);
}

const eventsOfOrder = async <E extends typeof StockReserved | typeof StockReleased>(event: E, orderId: string) =>
  (await outboxEvents(env, event)).filter((e) => e.detail.data.orderId === orderId).map((e) => e.detail);
const lowOf = async (productId: string) =>
  (await outboxEvents(env, StockLow)).filter((e) => e.detail.data.productId === productId).map((e) => e.detail.data);

describe('ReserveStock', () => {
  it('moves the units of every line from available to reserved and records StockReserved', async () => {
    const [a, b] = [await stockedProduct(handlers, 20), await stockedProduct(handlers, 30)];
    const orderId = newOrderId();
    const items = [{ productId: a, quantity: 2 }, { productId: b, quantity: 3 }];
    expect(await reserve(orderId, items)).toEqual({ orderId, outcome: 'RESERVED' });
    expect(await stockOf(handlers, a)).toEqual({ available: 18, reserved: 2 });
    expect(await stockOf(handlers, b)).toEqual({ available: 27, reserved: 3 });

    const events = await eventsOfOrder(StockReserved, orderId);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toEqual({ orderId, items });
    expect(events[0]!.metadata.correlationId).toBe(correlationId);
  });

  it('reads the reservation and the stock records in one BatchGetItem, then writes once: two DynamoDB requests', async () => {
    const [a, b] = [await stockedProduct(handlers, 20), await stockedProduct(handlers, 30)];
    const orderId = newOrderId();
    const send = vi.spyOn(documentClient(), 'send');
    try {
      expect(await reserve(orderId, [{ productId: a, quantity: 2 }, { productId: b, quantity: 1 }, { productId: a, quantity: 1 }])).toEqual({ orderId, outcome: 'RESERVED' });
      expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['BatchGetCommand', 'TransactWriteCommand']);
      send.mockClear();
      // A repeated call: the reservation answers, nothing is written.
      expect(await reserve(orderId, [{ productId: a, quantity: 3 }, { productId: b, quantity: 1 }])).toEqual({ orderId, outcome: 'RESERVED' });
      expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['BatchGetCommand']);
    } finally {
      send.mockRestore();
    }
    expect(await stockOf(handlers, a)).toEqual({ available: 17, reserved: 3 });
  });

  it('is idempotent: a second call returns the first result and touches no stock', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    const first = await reserve(orderId, [{ productId, quantity: 4 }]);
    const second = await reserve(orderId, [{ productId, quantity: 4 }]);
    expect(second).toEqual(first);
    expect(await stockOf(handlers, productId)).toEqual({ available: 6, reserved: 4 });
    expect(await eventsOfOrder(StockReserved, orderId)).toHaveLength(1);
  });

  it('takes the stock once when the same order is reserved by parallel calls', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    const results = await Promise.all(Array.from({ length: 5 }, () => reserveAsTheSagaWould(orderId, [{ productId, quantity: 3 }])));
    expect(results.map((r) => r.outcome)).toEqual(Array(5).fill('RESERVED'));
    expect(await stockOf(handlers, productId)).toEqual({ available: 7, reserved: 3 });
    expect(await eventsOfOrder(StockReserved, orderId)).toHaveLength(1);
  });

  it('sums the lines of a product named twice', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    await reserve(orderId, [{ productId, quantity: 2 }, { productId, quantity: 3 }]);
    expect(await stockOf(handlers, productId)).toEqual({ available: 5, reserved: 5 });
    expect((await eventsOfOrder(StockReserved, orderId))[0]!.data.items).toEqual([{ productId, quantity: 5 }]);
  });

  it('is all-or-nothing: one short line fails the order with OutOfStock and changes no stock', async () => {
    const [plenty, scarce] = [await stockedProduct(handlers, 50), await stockedProduct(handlers, 2)];
    const orderId = newOrderId();
    const items = [{ productId: plenty, quantity: 5 }, { productId: scarce, quantity: 3 }];
    await expect(reserve(orderId, items)).rejects.toEqual(outOfStock);
    expect(await stockOf(handlers, plenty)).toEqual({ available: 50, reserved: 0 });
    expect(await stockOf(handlers, scarce)).toEqual({ available: 2, reserved: 0 });
    expect(await eventsOfOrder(StockReserved, orderId)).toEqual([]);
  });

  it('fails with OutOfStock for a product without a stock record, changing nothing', async () => {
    const known = await stockedProduct(handlers, 5);
    const orderId = newOrderId();
    await expect(reserve(orderId, [{ productId: known, quantity: 1 }, { productId: newProductId(), quantity: 1 }])).rejects.toEqual(outOfStock);
    expect(await stockOf(handlers, known)).toEqual({ available: 5, reserved: 0 });
  });

  it('gives a rejected order the same answer on retry, even after a restock', async () => {
    const productId = await stockedProduct(handlers, 1);
    const orderId = newOrderId();
    await expect(reserve(orderId, [{ productId, quantity: 2 }])).rejects.toEqual(outOfStock);
    expect((await restock(handlers, productId, { quantity: 10 })).status).toBe(200);
    await expect(reserve(orderId, [{ productId, quantity: 2 }])).rejects.toEqual(outOfStock);
    expect(await stockOf(handlers, productId)).toEqual({ available: 11, reserved: 0 });
  });

  it('8 parallel orders of 1 unit against 3 available: exactly 3 reserved, 5 OutOfStock, never below zero', async () => {
    const productId = await stockedProduct(handlers, 3);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => reserveAsTheSagaWould(newOrderId(), [{ productId, quantity: 1 }])),
    );
    expect(results.filter((r) => r.outcome === 'RESERVED')).toHaveLength(3);
    expect(results.filter((r) => r.error === SagaError.OutOfStock)).toHaveLength(5);
    expect(await stockOf(handlers, productId)).toEqual({ available: 0, reserved: 3 });
  });

  it('keeps every unit accounted for when parallel multi-line orders compete for two products', async () => {
    const [a, b] = [await stockedProduct(handlers, 9), await stockedProduct(handlers, 7)];
    const orders = Array.from({ length: 10 }, (_, i) => ({
      orderId: newOrderId(),
      items: i % 2 === 0 ? [{ productId: a, quantity: 2 }, { productId: b, quantity: 1 }] : [{ productId: b, quantity: 2 }, { productId: a, quantity: 1 }],
    }));
    const results = await Promise.all(orders.map((o) => reserveAsTheSagaWould(o.orderId, o.items)));
    const won = orders.filter((_, i) => results[i]!.outcome === 'RESERVED');
    expect(results.every((r) => r.outcome === 'RESERVED' || r.error === SagaError.OutOfStock)).toBe(true);
    const taken = (productId: string) => won.flatMap((o) => o.items).filter((l) => l.productId === productId).reduce((n, l) => n + l.quantity, 0);
    expect(await stockOf(handlers, a)).toEqual({ available: 9 - taken(a), reserved: taken(a) });
    expect(await stockOf(handlers, b)).toEqual({ available: 7 - taken(b), reserved: taken(b) });
    expect(taken(a)).toBeLessThanOrEqual(9);
    expect(taken(b)).toBeLessThanOrEqual(7);
    expect(won.length).toBeGreaterThan(0);
    // Every loser was short of something when it gave up: a free unit of each product means it would have fitted.
    for (const [i, order] of orders.entries()) {
      if (results[i]!.outcome === 'RESERVED') continue;
      const short = order.items.some((l) => (l.productId === a ? 9 - taken(a) : 7 - taken(b)) < l.quantity);
      expect(short, order.orderId).toBe(true);
    }
  });

  it('records StockLow, with the threshold, when a reservation takes a product below 5 available', async () => {
    const productId = await stockedProduct(handlers, 10);
    await reserve(newOrderId(), [{ productId, quantity: 5 }]);
    expect(await lowOf(productId)).toEqual([]);
    await reserve(newOrderId(), [{ productId, quantity: 2 }]);
    expect(await lowOf(productId)).toEqual([{ productId, available: 3, threshold: 5 }]);
    await reserve(newOrderId(), [{ productId, quantity: 1 }]);
    expect(await lowOf(productId)).toHaveLength(1);

    expect((await restock(handlers, productId, { quantity: 10 })).status).toBe(200);
    await reserve(newOrderId(), [{ productId, quantity: 9 }]);
    expect(await lowOf(productId)).toEqual([{ productId, available: 3, threshold: 5 }, { productId, available: 3, threshold: 5 }]);
  });

  it('records StockLow exactly once when parallel reservations cross the threshold', async () => {
    const productId = await stockedProduct(handlers, 12);
    const results = await Promise.all(Array.from({ length: 14 }, () => reserveAsTheSagaWould(newOrderId(), [{ productId, quantity: 1 }])));
    expect(results.filter((r) => r.outcome === 'RESERVED')).toHaveLength(12);
    expect(await stockOf(handlers, productId)).toEqual({ available: 0, reserved: 12 });
    expect(await lowOf(productId)).toEqual([{ productId, available: 4, threshold: 5 }]);
  });

  it('records StockLow in the same transaction: a rejected order records none', async () => {
    const [low, short] = [await stockedProduct(handlers, 6), await stockedProduct(handlers, 0)];
    await expect(reserve(newOrderId(), [{ productId: low, quantity: 3 }, { productId: short, quantity: 1 }])).rejects.toEqual(outOfStock);
    expect(await lowOf(low)).toEqual([]);
  });

  it('refuses an input that breaks its contract, as a fault', async () => {
    const productId = await stockedProduct(handlers, 5);
    for (const input of [
      { orderId: newOrderId(), correlationId, items: [] },
      { orderId: newOrderId(), correlationId, items: [{ productId, quantity: 0 }] },
      { orderId: newOrderId(), items: [{ productId, quantity: 1 }] },
    ]) {
      await expect(step(handlers.reserve, input)).rejects.toThrow();
    }
    expect(await stockOf(handlers, productId)).toEqual({ available: 5, reserved: 0 });
  });
});

describe('ReleaseStock', () => {
  it('puts a reservation back: available += q, reserved -= q, and records StockReleased with the reason', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    await reserve(orderId, [{ productId, quantity: 4 }]);
    expect(await release(orderId, 'PAYMENT_DECLINED')).toEqual({ orderId, outcome: 'RELEASED' });
    expect(await stockOf(handlers, productId)).toEqual({ available: 10, reserved: 0 });
    const events = await eventsOfOrder(StockReleased, orderId);
    expect(events.map((e) => e.data)).toEqual([{ orderId, items: [{ productId, quantity: 4 }], reason: 'PAYMENT_DECLINED' }]);
    expect(events[0]!.metadata.correlationId).toBe(correlationId);
  });

  it('is idempotent: repeated and parallel calls release once and answer alike', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    await reserve(orderId, [{ productId, quantity: 4 }]);
    const answers = await Promise.all(Array.from({ length: 4 }, async () => {
      for (;;) {
        try {
          return await release(orderId);
        } catch (error) {
          if ((error as Error).name !== SagaError.Transient) throw error;
        }
      }
    }));
    answers.push(await release(orderId));
    expect(answers).toEqual(Array(5).fill({ orderId, outcome: 'RELEASED' }));
    expect(await stockOf(handlers, productId)).toEqual({ available: 10, reserved: 0 });
    expect(await eventsOfOrder(StockReleased, orderId)).toHaveLength(1);
  });

  it('is a no-op for an unknown order, answering the same every time', async () => {
    const orderId = newOrderId();
    expect(await release(orderId)).toEqual({ orderId, outcome: 'NO_RESERVATION' });
    expect(await release(orderId)).toEqual({ orderId, outcome: 'NO_RESERVATION' });
    expect(await eventsOfOrder(StockReleased, orderId)).toEqual([]);
  });

  it('is a no-op for a rejected order', async () => {
    const productId = await stockedProduct(handlers, 1);
    const orderId = newOrderId();
    await expect(reserve(orderId, [{ productId, quantity: 2 }])).rejects.toEqual(outOfStock);
    expect(await release(orderId)).toEqual({ orderId, outcome: 'REJECTED' });
    expect(await release(orderId)).toEqual({ orderId, outcome: 'REJECTED' });
    expect(await stockOf(handlers, productId)).toEqual({ available: 1, reserved: 0 });
    expect(await eventsOfOrder(StockReleased, orderId)).toEqual([]);
  });

  it('leaves committed units sold', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    await reserve(orderId, [{ productId, quantity: 4 }]);
    await commit(orderId);
    expect(await release(orderId)).toEqual({ orderId, outcome: 'COMMITTED' });
    expect(await stockOf(handlers, productId)).toEqual({ available: 6, reserved: 0 });
  });

  it('a reserve retried after the release still answers RESERVED, without taking the stock again', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    await reserve(orderId, [{ productId, quantity: 4 }]);
    await release(orderId);
    expect(await reserve(orderId, [{ productId, quantity: 4 }])).toEqual({ orderId, outcome: 'RESERVED' });
    expect(await stockOf(handlers, productId)).toEqual({ available: 10, reserved: 0 });
  });
});

describe('CommitStock', () => {
  it('sells the reserved units: reserved -= q, available unchanged', async () => {
    const [a, b] = [await stockedProduct(handlers, 10), await stockedProduct(handlers, 10)];
    const orderId = newOrderId();
    await reserve(orderId, [{ productId: a, quantity: 4 }, { productId: b, quantity: 1 }]);
    expect(await commit(orderId)).toEqual({ orderId, outcome: 'COMMITTED' });
    expect(await stockOf(handlers, a)).toEqual({ available: 6, reserved: 0 });
    expect(await stockOf(handlers, b)).toEqual({ available: 9, reserved: 0 });
  });

  it('is idempotent', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    await reserve(orderId, [{ productId, quantity: 4 }]);
    await commit(orderId);
    expect(await commit(orderId)).toEqual({ orderId, outcome: 'COMMITTED' });
    expect(await stockOf(handlers, productId)).toEqual({ available: 6, reserved: 0 });
  });

  it('is a no-op for an unknown or released order', async () => {
    const orderId = newOrderId();
    expect(await commit(orderId)).toEqual({ orderId, outcome: 'NO_RESERVATION' });

    const productId = await stockedProduct(handlers, 10);
    const released = newOrderId();
    await reserve(released, [{ productId, quantity: 4 }]);
    await release(released);
    expect(await commit(released)).toEqual({ orderId: released, outcome: 'RELEASED' });
    expect(await stockOf(handlers, productId)).toEqual({ available: 10, reserved: 0 });
  });
});

describe('ReturnStock', () => {
  it('puts the units of a committed order back on the shelf and records StockReleased (CUSTOMER_REQUEST)', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    await reserve(orderId, [{ productId, quantity: 4 }]);
    await commit(orderId);
    expect(await giveBack(orderId)).toEqual({ orderId, outcome: 'RETURNED' });
    expect(await stockOf(handlers, productId)).toEqual({ available: 10, reserved: 0 });
    expect((await eventsOfOrder(StockReleased, orderId)).map((e) => e.data)).toEqual([
      { orderId, items: [{ productId, quantity: 4 }], reason: 'CUSTOMER_REQUEST' },
    ]);
  });

  it('is idempotent', async () => {
    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    await reserve(orderId, [{ productId, quantity: 4 }]);
    await commit(orderId);
    await giveBack(orderId);
    expect(await giveBack(orderId)).toEqual({ orderId, outcome: 'RETURNED' });
    expect(await stockOf(handlers, productId)).toEqual({ available: 10, reserved: 0 });
    expect(await eventsOfOrder(StockReleased, orderId)).toHaveLength(1);
  });

  it('is a no-op for an unknown order, and for one that is only reserved', async () => {
    const unknown = newOrderId();
    expect(await giveBack(unknown)).toEqual({ orderId: unknown, outcome: 'NO_RESERVATION' });

    const productId = await stockedProduct(handlers, 10);
    const orderId = newOrderId();
    await reserve(orderId, [{ productId, quantity: 4 }]);
    expect(await giveBack(orderId)).toEqual({ orderId, outcome: 'RESERVED' });
    expect(await stockOf(handlers, productId)).toEqual({ available: 6, reserved: 4 });
    expect(await eventsOfOrder(StockReleased, orderId)).toEqual([]);
  });
});
