import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OrderConfirmed, OrderDelivered, OrderPlaced, OrderShipped } from '../../../functions/contracts/events/orders';
import { ShipmentDelivered, ShipmentDispatched } from '../../../functions/contracts/events/shipping';
import { lambdaContext } from '../../support/http';
import {
  asAdmin, asCustomer, busEvent, cancelOrder, customerId, getOrder, orderItems, ordersFixture, outboxOf, placedOrder, problem,
  resetStepFunctions, runTask, stateItem, transition, uniqueId, type OrdersFixture,
} from './fixture';

let fx: OrdersFixture;

beforeAll(async () => (fx = await ordersFixture()));

beforeEach(() => resetStepFunctions(fx));

const carriage = { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' };
const shipmentId = '01JSHIP0000000000000000000';
const dispatched = (orderId: string) => busEvent(ShipmentDispatched, { orderId, shipmentId, ...carriage }, 'dispatch-corr');
const delivered = (orderId: string) => busEvent(ShipmentDelivered, { orderId, shipmentId }, 'deliver-corr');
const deliver = (event: ReturnType<typeof busEvent>) => fx.onShipmentEvent(event, lambdaContext());
const eventItems = async (orderId: string) => (await orderItems(fx, orderId)).filter((item) => item.kind === 'orderEvent');

/** A CONFIRMED order of a new customer, as the saga leaves it. */
async function confirmedOrder() {
  const customer = customerId();
  const order = await placedOrder(fx, customer);
  await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
  return { orderId: order.orderId, customer };
}

describe('ShipmentDispatched (on-shipment-event)', () => {
  it('moves a CONFIRMED order to SHIPPED and records OrderShipped with the carriage, valid against its contract', async () => {
    const { orderId, customer } = await confirmedOrder();
    await deliver(dispatched(orderId));

    const outbox = await outboxOf(fx, orderId);
    expect(outbox.map((r) => r.detailType)).toEqual([OrderPlaced.detailType, OrderConfirmed.detailType, OrderShipped.detailType]);
    const detail = OrderShipped.detail.parse(outbox[2]!.detail);
    expect(detail.data).toEqual({ orderId, customerId: customer, ...carriage });
    // The correlation id of the admin's dispatch request, carried by ShipmentDispatched.
    expect(detail.metadata.correlationId).toBe('dispatch-corr');

    expect(await stateItem(fx, orderId)).toMatchObject({ status: 'SHIPPED', version: 3 });
    const events = await eventItems(orderId);
    expect(events.at(-1)).toMatchObject({ seq: 3, type: 'OrderShipped', status: 'SHIPPED', ...carriage, eventId: detail.metadata.eventId });
  });

  it('shows SHIPPED in the order and its history', async () => {
    const { orderId, customer } = await confirmedOrder();
    await deliver(dispatched(orderId));
    const { body } = await getOrder(fx, orderId, asCustomer(customer));
    expect(body.status).toBe('SHIPPED');
    expect(body.statusReason).toBeUndefined();
    expect(body.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED']);
    expect(body.history.at(-1)).toEqual({ status: 'SHIPPED', at: body.updatedAt });
  });

  it('is idempotent: a redelivery, even in parallel, writes one event and succeeds', async () => {
    const { orderId } = await confirmedOrder();
    const event = dispatched(orderId);
    await Promise.all([deliver(event), deliver(event), deliver(event)]);
    await deliver(event);
    expect((await eventItems(orderId)).map((e) => e.type)).toEqual(['OrderPlaced', 'OrderConfirmed', 'OrderShipped']);
    expect((await outboxOf(fx, orderId)).filter((r) => r.detailType === OrderShipped.detailType)).toHaveLength(1);
  });

  it('makes a SHIPPED order no longer cancellable (409)', async () => {
    const { orderId, customer } = await confirmedOrder();
    await deliver(dispatched(orderId));
    resetStepFunctions(fx);
    const response = await cancelOrder(fx, orderId, asCustomer(customer));
    expect(response.status).toBe(409);
    expect(problem(response).type).toContain('order-not-cancellable');
    expect(fx.sfn.calls()).toHaveLength(0);
  });

  it('fails, to be dead-lettered for an operator, for a cancelled order, changing nothing', async () => {
    const order = await placedOrder(fx, customerId());
    await runTask(fx, 'cancelOrder', transition(order.orderId, { to: 'CANCELLED', reason: 'PAYMENT_DECLINED', refunded: false }));
    await expect(deliver(dispatched(order.orderId))).rejects.toThrow('An order cannot move from CANCELLED to SHIPPED');
    expect(await stateItem(fx, order.orderId)).toMatchObject({ status: 'CANCELLED', version: 2 });
  });

  it('fails as a fault for an unknown order, and for an event that breaks its contract', async () => {
    await expect(deliver(dispatched(uniqueId('01NOORDER')))).rejects.toThrow('No order');
    const { orderId } = await confirmedOrder();
    const event = dispatched(orderId);
    const broken = { ...event, detail: { ...(event.detail as object), data: { orderId, shipmentId } } };
    await expect(deliver(broken)).rejects.toThrow();
    expect((await stateItem(fx, orderId))!.status).toBe('CONFIRMED');
  });
});

describe('ShipmentDelivered (on-shipment-event)', () => {
  it('moves a SHIPPED order to DELIVERED once and records OrderDelivered, valid against its contract', async () => {
    const { orderId, customer } = await confirmedOrder();
    await deliver(dispatched(orderId));
    const event = delivered(orderId);
    await deliver(event);
    await deliver(event);

    const outbox = await outboxOf(fx, orderId);
    expect(outbox.map((r) => r.detailType)).toEqual([
      OrderPlaced.detailType, OrderConfirmed.detailType, OrderShipped.detailType, OrderDelivered.detailType,
    ]);
    const detail = OrderDelivered.detail.parse(outbox[3]!.detail);
    expect(detail.data).toEqual({ orderId, customerId: customer });
    expect(detail.metadata.correlationId).toBe('deliver-corr');

    const { body } = await getOrder(fx, orderId, asAdmin());
    expect(body.status).toBe('DELIVERED');
    expect(body.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
    expect(await stateItem(fx, orderId)).toMatchObject({ status: 'DELIVERED', version: 4 });
  });

  it('treats a ShipmentDispatched redelivered after the delivery as done', async () => {
    const { orderId } = await confirmedOrder();
    const dispatch = dispatched(orderId);
    await deliver(dispatch);
    await deliver(delivered(orderId));
    await deliver(dispatch);
    await deliver(dispatched(orderId));
    expect((await eventItems(orderId)).map((e) => e.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
  });

  it('fails, to be redelivered, when it overtook its ShipmentDispatched; the redelivery after the dispatch succeeds', async () => {
    const { orderId } = await confirmedOrder();
    const early = delivered(orderId);
    const error = await deliver(early).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('DeliveryBeforeDispatchError');
    expect(await stateItem(fx, orderId)).toMatchObject({ status: 'CONFIRMED', version: 2 });
    expect(await eventItems(orderId)).toHaveLength(2);

    // Lambda's async retry redelivers the same event, once the dispatch has been applied.
    await deliver(dispatched(orderId));
    await deliver(early);
    expect((await eventItems(orderId)).map((e) => e.type)).toEqual(['OrderPlaced', 'OrderConfirmed', 'OrderShipped', 'OrderDelivered']);
  });

  it('fails for an order that never shipped: PENDING or cancelled', async () => {
    const pending = await placedOrder(fx, customerId());
    await expect(deliver(delivered(pending.orderId))).rejects.toThrow('An order cannot move from PENDING to DELIVERED');
    await runTask(fx, 'cancelOrder', transition(pending.orderId, { to: 'CANCELLED', reason: 'PAYMENT_DECLINED', refunded: false }));
    await expect(deliver(delivered(pending.orderId))).rejects.toThrow('An order cannot move from CANCELLED to DELIVERED');
    expect((await stateItem(fx, pending.orderId))!.status).toBe('CANCELLED');
  });
});
