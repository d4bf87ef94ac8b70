/**
 * `ops rebuild orders` on DynamoDB Local: the orders view (each order's STATE item) wiped and
 * made again from the event store, newest snapshot first, gives the same API answers.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb/local-dynamodb';
import { rebuildOrders } from '../../../ops/orders';
import type { Reporter } from '../../../ops/report';
import type { Target } from '../../../ops/target';
import { dynamoEndpoint } from '../../support/dynamodb';
import { dynamoOrderStore } from '../../../functions/orders/adapters/dynamo-order-store';
import { moveOrder } from '../../../functions/orders/domain/transitions';
import {
  asCustomer, customerId, FIXTURE_SNAPSHOT_EVERY, getOrder, listOrders, ordersFixture, placedOrder, runTask, stateItem, transition, type OrdersFixture,
} from './fixture';

let fx: OrdersFixture;
let target: Target;

beforeAll(async () => {
  fx = await ordersFixture();
  target = {
    description: 'DynamoDB Local',
    resources: { deadLetterQueues: [], ordersTableName: fx.env.tableName },
    clientConfig: () => ({ endpoint: dynamoEndpoint(), region: LOCAL_REGION, credentials: { ...LOCAL_CREDENTIALS } }),
  };
}, 60_000);

async function rebuild(dryRun = false) {
  const out: string[] = [];
  const report: Reporter = { out: (line) => out.push(line), progress: () => undefined, error: (line) => out.push(`error: ${line}`) };
  const summary = await rebuildOrders(target, { dryRun }, report);
  return { out, summary };
}

/** A customer's orders: one delivered (four events, snapshots at 2 and 4), one cancelled (two events, a snapshot at 2), one pending. */
async function customerWithOrders() {
  const customer = customerId();
  const delivered = await placedOrder(fx, customer);
  const cancelled = await placedOrder(fx, customer);
  const pending = await placedOrder(fx, customer);
  await runTask(fx, 'confirmOrder', transition(delivered.orderId, { to: 'CONFIRMED' }));
  const store = dynamoOrderStore(fx.env.tableName, { snapshotEvery: () => FIXTURE_SNAPSHOT_EVERY });
  await moveOrder(store, delivered.orderId, { to: 'SHIPPED', carrier: 'UPS', trackingNumber: '1Z999' }, 'c');
  await moveOrder(store, delivered.orderId, { to: 'DELIVERED' }, 'c');
  await runTask(fx, 'cancelOrder', transition(cancelled.orderId, { to: 'CANCELLED', reason: 'PAYMENT_DECLINED', refunded: false }));
  return { customer, orderIds: [delivered.orderId, cancelled.orderId, pending.orderId] };
}

/** What the API answers about the customer's orders: each order, and the listing. */
async function answers(customer: string, orderIds: string[]) {
  const orders = await Promise.all(orderIds.map(async (orderId) => {
    const reply = await getOrder(fx, orderId, asCustomer(customer));
    return { status: reply.status, body: reply.body };
  }));
  const listing = await listOrders(fx, asCustomer(customer));
  return { orders, listing: { status: listing.status, body: listing.body } };
}

const wipe = (orderId: string) => fx.env.db.send(new DeleteCommand({ TableName: fx.env.tableName, Key: { pk: `ORDER#${orderId}`, sk: 'STATE' } }));

describe('rebuild orders', () => {
  it('makes a wiped view again from the events, newest snapshot first: the same answers from GET /orders/{id} and GET /orders', async () => {
    const { customer, orderIds } = await customerWithOrders();
    const [delivered, cancelled, pending] = orderIds as [string, string, string];
    const before = await answers(customer, orderIds);
    expect(before.orders.map((order) => order.body.status)).toEqual(['DELIVERED', 'CANCELLED', 'PENDING']);
    expect(before.listing.body.items).toHaveLength(3);

    for (const orderId of orderIds) await wipe(orderId);
    const wiped = await answers(customer, orderIds);
    expect(wiped.orders.map((order) => order.status)).toEqual([404, 404, 404]);
    expect(wiped.listing.body.items).toEqual([]);

    const dryRun = await rebuild(true);
    expect(dryRun.out).toEqual(expect.arrayContaining([
      `order ${delivered}: no view → made again from the snapshot at 4 and 0 event(s) after it`,
      `order ${cancelled}: no view → made again from the snapshot at 2 and 0 event(s) after it`,
      `order ${pending}: no view → made again from 1 event(s)`,
    ]));
    expect(dryRun.out.at(-1)).toMatch(/^rebuilt the orders view: \d+ order\(s\), 0 drifted, 3 missing \(dry run, nothing written\)$/);
    expect((await answers(customer, orderIds)).listing.body.items).toEqual([]);

    const rebuilt = await rebuild();
    expect(rebuilt.summary).toMatchObject({ missing: 3, restored: 3, skipped: 0, unreplayable: 0 });
    expect(await answers(customer, orderIds)).toEqual(before);
    // Nothing left to do: a second rebuild finds every view as its events make it.
    expect((await rebuild()).summary).toMatchObject({ drifted: 0, missing: 0 });
  });

  it('rewrites a view that drifted from its events, and only that', async () => {
    const { customer, orderIds } = await customerWithOrders();
    const before = await answers(customer, orderIds);
    await fx.env.db.send(new UpdateCommand({
      TableName: fx.env.tableName, Key: { pk: `ORDER#${orderIds[0]!}`, sk: 'STATE' },
      UpdateExpression: 'SET #status = :pending', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':pending': 'PENDING' },
    }));
    const rebuilt = await rebuild();
    expect(rebuilt.out).toContain(`order ${orderIds[0]!}: status PENDING → DELIVERED`);
    expect(rebuilt.summary).toMatchObject({ drifted: 1, rewritten: 1 });
    expect(await answers(customer, orderIds)).toEqual(before);
  });

  it('names an order whose view is gone and whose OrderPlaced does not carry the order, and leaves it', async () => {
    const order = await placedOrder(fx, customerId());
    // As an OrderPlaced written before the event carried the order.
    await fx.env.db.send(new UpdateCommand({ TableName: fx.env.tableName, Key: { pk: `ORDER#${order.orderId}`, sk: 'EVENT#000001' }, UpdateExpression: 'REMOVE placed' }));
    await wipe(order.orderId);
    const rebuilt = await rebuild();
    expect(rebuilt.out).toContain(`order ${order.orderId}: no view, and its events do not carry the order as placed: left for a hand rebuild`);
    expect(rebuilt.summary.unreplayable).toBe(1);
    expect(await stateItem(fx, order.orderId)).toBeUndefined();
  });
});
