import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OrderCancelled, OrderConfirmed, OrderPlaced, OrderRejected } from '../../../functions/contracts/events/orders';
import { SagaError } from '../../../functions/contracts/saga';
import { domainEvent } from '../../../functions/shared/events/outbox';
import { metrics } from '../../../functions/shared/observability';
import { dynamoOrderStore } from '../../../functions/orders/adapters/dynamo-order-store';
import type { OrderEvent, OrderState } from '../../../functions/orders/domain/order';
import { ORDERS_NEEDING_OPERATOR_METRIC } from '../../../functions/orders/orders-config';
import {
  address, asCustomer, cancelOrder, customerId, getOrder, orderItems, ordersFixture, outboxOf, placedOrder, pricedOrder, resetStepFunctions, runTask, stateItem,
  transition, uniqueId, FIXTURE_SNAPSHOT_EVERY, type OrdersFixture,
} from './fixture';

let fx: OrdersFixture;

beforeAll(async () => (fx = await ordersFixture()));

beforeEach(() => resetStepFunctions(fx));

const eventItems = async (orderId: string) => (await orderItems(fx, orderId)).filter((item) => item.kind === 'orderEvent');

describe('ConfirmOrder (confirm-order)', () => {
  it('moves a PENDING order to CONFIRMED and records OrderConfirmed with the lines and address', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer, 3);
    const result = await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
    expect(result).toEqual({ orderId: order.orderId, status: 'CONFIRMED', changed: true });

    const outbox = await outboxOf(fx, order.orderId);
    expect(outbox.map((r) => r.detailType)).toEqual([OrderPlaced.detailType, OrderConfirmed.detailType]);
    const detail = OrderConfirmed.detail.parse(outbox[1]!.detail);
    expect(detail.data).toEqual({ ...pricedOrder(order, customer), shippingAddress: address });
    // The saga's correlation id, carried from the request that started it.
    expect(detail.metadata.correlationId).toBe('saga-corr');
    expect(await stateItem(fx, order.orderId)).toMatchObject({ status: 'CONFIRMED', version: 2 });
  });

  it('is idempotent: a repeated (or parallel) call writes one event and answers success', async () => {
    const order = await placedOrder(fx, customerId());
    const input = transition(order.orderId, { to: 'CONFIRMED' });
    const results = await Promise.all([runTask(fx, 'confirmOrder', input), runTask(fx, 'confirmOrder', input)]);
    const again = await runTask(fx, 'confirmOrder', input);
    expect(results.map((r) => (r as { changed: boolean }).changed).sort()).toEqual([false, true]);
    expect(again).toEqual({ orderId: order.orderId, status: 'CONFIRMED', changed: false });
    expect((await eventItems(order.orderId)).map((e) => e.type)).toEqual(['OrderPlaced', 'OrderConfirmed']);
    expect((await outboxOf(fx, order.orderId)).filter((r) => r.detailType === OrderConfirmed.detailType)).toHaveLength(1);
  });

  it('fails with CancellationRequested, changing nothing, when the customer asked to cancel', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
    const error = await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe(SagaError.CancellationRequested);
    expect(await stateItem(fx, order.orderId)).toMatchObject({ status: 'PENDING', version: 1, cancelRequested: true });
    expect(await eventItems(order.orderId)).toHaveLength(1);
  });

  it('refuses to confirm an order that is already REJECTED: a fault, not a silent success', async () => {
    const order = await placedOrder(fx, customerId());
    await runTask(fx, 'rejectOrder', transition(order.orderId, { to: 'REJECTED', reason: 'OUT_OF_STOCK' }));
    await expect(runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }))).rejects.toThrow(
      'An order cannot move from REJECTED to CONFIRMED',
    );
    expect((await stateItem(fx, order.orderId))!.status).toBe('REJECTED');
  });

  it('rejects an input of another state, or a malformed one, as a fault', async () => {
    const order = await placedOrder(fx, customerId());
    await expect(runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'REJECTED', reason: 'OUT_OF_STOCK' }))).rejects.toThrow(
      'This task moves orders to CONFIRMED',
    );
    await expect(runTask(fx, 'confirmOrder', { orderId: order.orderId, to: 'CONFIRMED' })).rejects.toThrow();
    await expect(runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'SHIPPED' }))).rejects.toThrow();
    expect((await stateItem(fx, order.orderId))!.status).toBe('PENDING');
  });

  it('fails as a fault for an unknown order', async () => {
    await expect(runTask(fx, 'confirmOrder', transition(uniqueId('01NOORDER'), { to: 'CONFIRMED' }))).rejects.toThrow('No order');
  });
});

describe('RejectOrder (reject-order)', () => {
  it('moves a PENDING order to REJECTED (OUT_OF_STOCK) once, however often it is called', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    const input = transition(order.orderId, { to: 'REJECTED', reason: 'OUT_OF_STOCK' });
    expect(await runTask(fx, 'rejectOrder', input)).toMatchObject({ status: 'REJECTED', changed: true });
    expect(await runTask(fx, 'rejectOrder', input)).toMatchObject({ status: 'REJECTED', changed: false });

    const outbox = await outboxOf(fx, order.orderId);
    expect(outbox.map((r) => r.detailType)).toEqual([OrderPlaced.detailType, OrderRejected.detailType]);
    expect(OrderRejected.detail.parse(outbox[1]!.detail).data).toEqual({ orderId: order.orderId, customerId: customer, reason: 'OUT_OF_STOCK' });
    expect((await getOrder(fx, order.orderId, asCustomer(customer))).body).toMatchObject({ status: 'REJECTED', statusReason: 'OUT_OF_STOCK' });
  });
});

describe('CancelOrder (record-cancellation)', () => {
  it.each([
    ['PAYMENT_DECLINED', false],
    ['PAYMENT_UNAVAILABLE', false],
    ['CUSTOMER_REQUEST', true],
  ] as const)('cancels a PENDING order for %s once, recording OrderCancelled', async (reason, refunded) => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    const input = transition(order.orderId, { to: 'CANCELLED', reason, refunded });
    expect(await runTask(fx, 'cancelOrder', input)).toMatchObject({ status: 'CANCELLED', changed: true });
    expect(await runTask(fx, 'cancelOrder', input)).toMatchObject({ status: 'CANCELLED', changed: false });

    const outbox = await outboxOf(fx, order.orderId);
    expect(outbox.map((r) => r.detailType)).toEqual([OrderPlaced.detailType, OrderCancelled.detailType]);
    expect(OrderCancelled.detail.parse(outbox[1]!.detail).data).toEqual({ orderId: order.orderId, customerId: customer, reason, refunded });
    const { body } = await getOrder(fx, order.orderId, asCustomer(customer));
    expect(body).toMatchObject({ status: 'CANCELLED', statusReason: reason });
    expect(body.history.map((h) => h.status)).toEqual(['PENDING', 'CANCELLED']);
  });

  it('cancels a CONFIRMED order on customer request (the cancellation saga), never for a payment failure', async () => {
    const order = await placedOrder(fx, customerId());
    await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
    await expect(
      runTask(fx, 'cancelOrder', transition(order.orderId, { to: 'CANCELLED', reason: 'PAYMENT_DECLINED', refunded: false })),
    ).rejects.toThrow('An order cannot move from CONFIRMED to CANCELLED');
    await runTask(fx, 'cancelOrder', transition(order.orderId, { to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', refunded: true }));
    expect((await eventItems(order.orderId)).map((e) => [e.type, e.seq])).toEqual([
      ['OrderPlaced', 1], ['OrderConfirmed', 2], ['OrderCancelled', 3],
    ]);
  });
});

describe('FlagOrder (flag-order)', () => {
  it('marks the order for an operator with the error and cause, counting OrdersNeedingOperator once', async () => {
    const order = await placedOrder(fx, customerId());
    const addMetric = vi.spyOn(metrics, 'addMetric');
    try {
      const input = { ...transition(order.orderId, {}), error: 'States.TaskFailed', cause: 'ReleaseStock kept failing' };
      expect(await runTask(fx, 'flagOrder', input)).toEqual({ orderId: order.orderId, newlyFlagged: true });
      expect(await runTask(fx, 'flagOrder', { ...input, error: 'Other' })).toEqual({ orderId: order.orderId, newlyFlagged: false });
      expect(addMetric.mock.calls.filter(([name]) => name === ORDERS_NEEDING_OPERATOR_METRIC)).toHaveLength(1);
    } finally {
      addMetric.mockRestore();
    }
    expect(await stateItem(fx, order.orderId)).toMatchObject({
      status: 'PENDING', version: 1, needsOperator: true, operatorError: 'States.TaskFailed', operatorCause: 'ReleaseStock kept failing',
    });
  });

  it('keeps the flag when the order moves afterwards', async () => {
    const order = await placedOrder(fx, customerId());
    await runTask(fx, 'flagOrder', { ...transition(order.orderId, {}), error: 'X' });
    await runTask(fx, 'cancelOrder', transition(order.orderId, { to: 'CANCELLED', reason: 'PAYMENT_DECLINED', refunded: false }));
    expect(await stateItem(fx, order.orderId)).toMatchObject({ status: 'CANCELLED', needsOperator: true });
  });

  it('fails as a fault for an unknown order', async () => {
    await expect(runTask(fx, 'flagOrder', transition(uniqueId('01NOORDER'), {}))).rejects.toThrow('No order');
  });
});

describe('the order store: conditional appends (DynamoDB)', () => {
  const confirmedFrom = (state: OrderState): [OrderState, OrderEvent] => [
    { ...state, status: 'CONFIRMED', version: state.version + 1 },
    { seq: state.version + 1, type: 'OrderConfirmed', status: 'CONFIRMED', at: state.updatedAt, eventId: uniqueId('evt') },
  ];
  const pendingEvent = (orderId: string) => domainEvent(OrderRejected, { orderId, customerId: 'c', reason: 'OUT_OF_STOCK' }, 'c');

  it('refuses an append derived from a stale version, writing nothing', async () => {
    const store = dynamoOrderStore(fx.env.tableName, { snapshotEvery: () => FIXTURE_SNAPSHOT_EVERY });
    const order = await placedOrder(fx, customerId());
    const { state } = (await store.get(order.orderId))!;
    await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
    const [next, event] = confirmedFrom(state);
    expect(await store.append(next, event, pendingEvent(order.orderId), { expectedVersion: state.version, unlessCancelRequested: false })).toBe(false);
    expect((await eventItems(order.orderId)).map((e) => e.eventId)).not.toContain(event.eventId);
  });

  it('refuses to confirm once a cancellation was requested, even at the expected version', async () => {
    const store = dynamoOrderStore(fx.env.tableName, { snapshotEvery: () => FIXTURE_SNAPSHOT_EVERY });
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    const { state } = (await store.get(order.orderId))!;
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
    const [next, event] = confirmedFrom(state);
    expect(await store.append(next, event, pendingEvent(order.orderId), { expectedVersion: 1, unlessCancelRequested: true })).toBe(false);
    expect(await stateItem(fx, order.orderId)).toMatchObject({ status: 'PENDING', version: 1 });
  });
});
