/**
 * Snapshots in the order event store, on DynamoDB Local: every n-th event's transaction also
 * writes the order as its events make it, and a replay reads the newest snapshot and the events
 * after it in one Query, making the same order as every event from the first.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { OrderConfirmed } from '../../../functions/contracts/events/orders';
import { dynamoOrderHistory } from '../../../functions/orders/adapters/dynamo-order-history';
import { dynamoOrderStore, toEvent, toState } from '../../../functions/orders/adapters/dynamo-order-store';
import type { OrderTransition } from '../../../functions/orders/domain/order';
import { replayOrder, snapshotOf } from '../../../functions/orders/domain/replay';
import { moveOrder } from '../../../functions/orders/domain/transitions';
import { domainEvent, OUTBOX_KIND, RELAYED_ATTRIBUTE } from '../../../functions/shared/events/outbox';
import { asCustomer, customerId, getOrder, orderItems, ordersFixture, outboxOf, placedOrder, stateItem, type OrdersFixture } from './fixture';

let fx: OrdersFixture;

beforeAll(async () => {
  fx = await ordersFixture();
}, 60_000);

/** Every move an order can make after it is placed: with OrderPlaced, four events. */
const LIFECYCLE: OrderTransition[] = [{ to: 'CONFIRMED' }, { to: 'SHIPPED', carrier: 'UPS', trackingNumber: '1Z999' }, { to: 'DELIVERED' }];

/** A placed order walked through its whole lifecycle by a store that snapshots every `every` events. */
async function walkedOrder(every: number) {
  const customer = customerId();
  const order = await placedOrder(fx, customer);
  const store = dynamoOrderStore(fx.env.tableName, { snapshotEvery: () => every });
  for (const transition of LIFECYCLE) await moveOrder(store, order.orderId, transition, 'snapshot-test');
  const items = await orderItems(fx, order.orderId);
  return {
    customer,
    order,
    events: items.filter((item) => item.kind === 'orderEvent').map(toEvent),
    snapshots: items.filter((item) => item.kind === 'orderSnapshot'),
  };
}

/** The document client, counting the requests sent through it. */
function counting(db: DynamoDBDocumentClient): { db: DynamoDBDocumentClient; sent: string[] } {
  const sent: string[] = [];
  const send = (command: { constructor: { name: string } }) => {
    sent.push(command.constructor.name);
    return db.send(command as never);
  };
  return { db: { send } as unknown as DynamoDBDocumentClient, sent };
}

describe('order snapshots', () => {
  it.each([
    { every: 2, snapshots: [2, 4], from: 4, folded: 0 },
    { every: 3, snapshots: [3], from: 3, folded: 1 },
    { every: 10, snapshots: [], from: undefined, folded: 4 },
  ])('every $every events: the same order with and without snapshots, read in one Query', async ({ every, snapshots, from, folded }) => {
    const { order, events, snapshots: written } = await walkedOrder(every);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
    expect(written.map((item) => item.seq)).toEqual(snapshots);

    const { db, sent } = counting(fx.env.db);
    const replayed = await dynamoOrderHistory(fx.env.tableName, { pageSize: every, db }).replay(order.orderId);
    expect(sent).toEqual(['QueryCommand']);
    expect(replayed).toEqual({ state: replayOrder(order.orderId, undefined, events), folded, ...(from === undefined ? {} : { snapshotSeq: from }) });
    // ... which is the order as its view says it is, the flags set beside the events aside.
    expect(replayed!.state).toEqual(snapshotOf(toState((await stateItem(fx, order.orderId))!)));
    expect(replayed!.state).toMatchObject({ status: 'DELIVERED', version: 4, items: order.items, shippingAddress: order.shippingAddress });
  });

  it('replays as well with any page size: more round trips, the same order', async () => {
    const { order, events } = await walkedOrder(2);
    for (const pageSize of [1, 3, 100]) {
      const replayed = await dynamoOrderHistory(fx.env.tableName, { pageSize, db: fx.env.db }).replay(order.orderId);
      expect(replayed!.state, `page size ${pageSize}`).toEqual(replayOrder(order.orderId, undefined, events));
    }
  });

  it('never writes a snapshot ahead of the events: each is the order its event made, and shows nowhere in the history', async () => {
    const { customer, order, events, snapshots } = await walkedOrder(2);
    for (const snapshot of snapshots) {
      const seq = snapshot.seq as number;
      expect(snapshot.sk).toBe(`EVENT#${String(seq).padStart(6, '0')}#SNAPSHOT`);
      expect(snapshot.state).toEqual(replayOrder(order.orderId, undefined, events.slice(0, seq)));
      // Not an event for the bus: the relay selects only items carrying one (see the orders stack's test).
      expect([snapshot.kind, snapshot[RELAYED_ATTRIBUTE]]).not.toContain(OUTBOX_KIND);
      expect(snapshot).not.toHaveProperty('detail');
    }
    // The events the relay publishes: one per event item, in the order of the events.
    expect((await outboxOf(fx, order.orderId)).map((record) => record.detailType)).toEqual(['OrderPlaced', 'OrderConfirmed', 'OrderShipped', 'OrderDelivered']);
    const reply = await getOrder(fx, order.orderId, asCustomer(customer));
    expect(reply.body.history.map((entry) => entry.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
  });

  it('writes neither the event nor its snapshot when the append loses its race', async () => {
    const order = await placedOrder(fx, customerId());
    const store = dynamoOrderStore(fx.env.tableName, { snapshotEvery: () => 2 });
    const { state } = (await store.get(order.orderId))!;
    const next = { ...state, status: 'CONFIRMED' as const, version: 2 };
    const event = { seq: 2, type: 'OrderConfirmed' as const, status: 'CONFIRMED' as const, at: state.updatedAt, eventId: 'lost' };
    const pending = domainEvent(OrderConfirmed, {
      orderId: order.orderId, customerId: state.customerId, items: order.items, totalCents: state.totalCents, currency: state.currency, shippingAddress: state.shippingAddress,
    }, 'c');
    // Derived from version 0, which the order has left: the transaction is cancelled whole.
    expect(await store.append(next, event, pending, { expectedVersion: 0, unlessCancelRequested: false })).toBe(false);
    expect((await orderItems(fx, order.orderId)).map((item) => item.sk).sort()).toEqual(['EVENT#000001', 'PAYMENT', 'STATE']);
  });
});
