/**
 * The largest order the API accepts (50 lines) through every write of the orders context: each
 * transaction has a fixed number of items whatever the number of lines (the lines live inside
 * the state item and the events), so all stay far within DynamoDB's 100.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderPlaced } from '../../../functions/contracts/events/orders';
import { lambdaContext } from '../../support/http';
import { recordTransactions, TRANSACTION_ITEM_LIMIT } from '../../support/transactions';
import {
  asCustomer, customerId, getOrder, orderBody, ordersFixture, outboxOf, placeOrder, runTask, seedProduct, startedExecutions, transition,
  uniqueId, type OrdersFixture,
} from './fixture';

const LINES = 50;

let fx: OrdersFixture;
let recorder: ReturnType<typeof recordTransactions> | undefined;

beforeAll(async () => (fx = await ordersFixture()));

afterEach(() => {
  recorder?.stop();
  recorder = undefined;
});

describe('a 50-line order', { timeout: 60_000 }, () => {
  it('is placed, started, confirmed and cancelled in transactions of at most 5 items', async () => {
    const products = await Promise.all(Array.from({ length: LINES }, () => seedProduct(fx)));
    const customer = customerId();
    const body = orderBody(products.map(({ productId }) => ({ productId, quantity: 3 })));

    recorder = recordTransactions();
    const placed = await placeOrder(fx, body, { ...asCustomer(customer), 'Idempotency-Key': uniqueId('key') });
    expect(placed.status).toBe(202);
    const { orderId } = placed.body;
    // The idempotency claim, the state, the first event (its own outbox record), the payment token.
    expect(recorder.counts()).toEqual([4]);

    const [record] = (await outboxOf(fx, orderId)).filter((r) => r.detailType === OrderPlaced.detailType);
    const onOrderPlaced = (await import('../../../functions/orders/handlers/on-order-placed')).handler;
    await onOrderPlaced(
      {
        version: '0', id: randomUUID(), 'detail-type': OrderPlaced.detailType, source: OrderPlaced.source, account: '000000000000',
        time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: record!.detail,
      },
      lambdaContext(),
    );
    expect((startedExecutions(fx)[0]!.input.items as unknown[]).length).toBe(LINES);

    await runTask(fx, 'confirmOrder', transition(orderId, { to: 'CONFIRMED' }));
    await runTask(fx, 'cancelOrder', transition(orderId, { to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', refunded: true }));
    // Each move: the state and the event; the second event (FIXTURE_SNAPSHOT_EVERY) also its snapshot.
    expect(recorder.counts()).toEqual([4, 3, 2]);
    expect(Math.max(...recorder.counts())).toBeLessThanOrEqual(TRANSACTION_ITEM_LIMIT);

    const { body: order } = await getOrder(fx, orderId, asCustomer(customer));
    expect(order.items).toHaveLength(LINES);
    expect(order.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);
  });
});
