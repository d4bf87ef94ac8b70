/**
 * The largest order the API accepts (50 lines) through every stock step, each line taking its
 * product below the low-stock threshold: every transaction stays within DynamoDB's 100 items,
 * and every StockLow is still recorded, on the reservation itself (no outbox record), in one write.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StockLow, StockReleased, StockReserved } from '../../../functions/contracts/events/inventory';
import { LOW_STOCK_THRESHOLD } from '../../../functions/inventory/domain/stock';
import { recordTransactions, TRANSACTION_ITEM_LIMIT } from '../../support/transactions';
import { type Env, type Handlers, inventoryFixture, newOrderId, outboxEvents, step, stockedProduct, stockOf } from './fixture';

let env: Env;
let handlers: Handlers;
let recorder: ReturnType<typeof recordTransactions> | undefined;

const LINES = 50;
const correlationId = 'large-order';

beforeAll(async () => ({ env, handlers } = await inventoryFixture('inventory-large')), 60_000);

afterEach(() => {
  recorder?.stop();
  recorder = undefined;
});

/** 50 products each with exactly the threshold available: one unit more would not cross it. */
async function lowStockOrder(): Promise<{ orderId: string; items: { productId: string; quantity: number }[] }> {
  const productIds = await Promise.all(Array.from({ length: LINES }, () => stockedProduct(handlers, LOW_STOCK_THRESHOLD)));
  return { orderId: newOrderId(), items: productIds.map((productId) => ({ productId, quantity: 1 })) };
}

/** The item counts of the transactions `run` sends. */
async function transactionsOf(run: () => Promise<unknown>): Promise<number[]> {
  recorder = recordTransactions();
  await run();
  const counts = recorder.counts();
  recorder.stop();
  recorder = undefined;
  return counts;
}

describe('a 50-line order whose every line crosses the low-stock threshold', { timeout: 60_000 }, () => {
  it('is reserved in one transaction of 51 items, recording StockReserved and all 50 StockLow', async () => {
    const { orderId, items } = await lowStockOrder();
    const counts = await transactionsOf(() => expect(step(handlers.reserve, { orderId, correlationId, items })).resolves.toEqual({ orderId, outcome: 'RESERVED' }));
    // The reservation carrying every event, one update per line: no outbox record.
    expect(counts).toEqual([1 + LINES]);

    const productIds = new Set(items.map((item) => item.productId));
    const low = (await outboxEvents(env, StockLow)).map((e) => e.detail.data).filter((data) => productIds.has(data.productId));
    expect(low).toHaveLength(LINES);
    expect(new Set(low.map((data) => data.productId))).toEqual(productIds);
    expect(low.every((data) => data.available === LOW_STOCK_THRESHOLD - 1 && data.threshold === LOW_STOCK_THRESHOLD)).toBe(true);
    expect((await outboxEvents(env, StockReserved)).filter((e) => e.detail.data.orderId === orderId)).toHaveLength(1);
    expect(await stockOf(handlers, items[0]!.productId)).toEqual({ available: LOW_STOCK_THRESHOLD - 1, reserved: 1 });
  });

  it('is committed, then returned, each in one transaction under the limit', async () => {
    const { orderId, items } = await lowStockOrder();
    await step(handlers.reserve, { orderId, correlationId, items });
    expect(await transactionsOf(() => step(handlers.commit, { orderId, correlationId }))).toEqual([1 + LINES]);
    expect(await transactionsOf(() => step(handlers.return, { orderId, correlationId }))).toEqual([1 + LINES]);
    expect(await stockOf(handlers, items[LINES - 1]!.productId)).toEqual({ available: LOW_STOCK_THRESHOLD, reserved: 0 });
    expect((await outboxEvents(env, StockReleased)).filter((e) => e.detail.data.orderId === orderId)).toHaveLength(1);
  });

  it('is released in one transaction under the limit', async () => {
    const { orderId, items } = await lowStockOrder();
    await step(handlers.reserve, { orderId, correlationId, items });
    const counts = await transactionsOf(() => step(handlers.release, { orderId, correlationId, reason: 'PAYMENT_DECLINED' }));
    expect(counts).toEqual([1 + LINES]);
    expect(Math.max(...counts)).toBeLessThanOrEqual(TRANSACTION_ITEM_LIMIT);
    expect(await stockOf(handlers, items[0]!.productId)).toEqual({ available: LOW_STOCK_THRESHOLD, reserved: 0 });
  });
});
