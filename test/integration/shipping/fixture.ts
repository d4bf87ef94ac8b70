/**
 * The shipping handlers running against DynamoDB Local (real conditions and transactions),
 * invoked the way Lambda invokes them: API Gateway proxy events and EventBridge events.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { expect } from 'vitest';
import type { Shipment } from '../../../functions/contracts/api/shipping';
import type { EventContract, EventData, EventDetail } from '../../../functions/contracts/events/envelope';
import { OrderCancelled, OrderConfirmed } from '../../../functions/contracts/events/orders';
import { bearer, useHandlerEnvironment } from '../../support/handler-env';
import { call, lambdaContext } from '../../support/http';
import { busEvent as sharedBusEvent } from '../../support/bus-event';

type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;
type ProxyHandler = Parameters<typeof call>[0];
type ConsumerHandler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;

export interface ShippingFixture {
  env: Env;
  api: Record<'getShipment' | 'dispatchShipment' | 'deliverShipment', ProxyHandler>;
  onOrderEvent: ConsumerHandler;
  /** Shipping's claim of a shipment for a cancellation, as the orders cancel route invokes it. */
  claimShipment: (input: unknown, context: Context) => Promise<unknown>;
}

/** Call once per test file, in beforeAll: the handlers read their configuration when imported. */
export async function shippingFixture(): Promise<ShippingFixture> {
  const env = await useHandlerEnvironment('shipping');
  return {
    env,
    api: {
      getShipment: (await import('../../../functions/shipping/handlers/get-shipment')).handler,
      dispatchShipment: (await import('../../../functions/shipping/handlers/dispatch-shipment')).handler,
      deliverShipment: (await import('../../../functions/shipping/handlers/deliver-shipment')).handler,
    },
    onOrderEvent: (await import('../../../functions/shipping/handlers/on-order-event')).handler as ConsumerHandler,
    claimShipment: (await import('../../../functions/shipping/handlers/claim-shipment')).handler as ShippingFixture['claimShipment'],
  };
}

let counter = 0;
/** Tests share one table: every order gets its own id. */
export const uniqueId = (label: string) => `${label}-${Date.now().toString(36)}-${counter++}-${randomUUID().slice(0, 8)}`;
export const newOrderId = () => uniqueId('01ORDER');
export const customerId = () => uniqueId('01CUSTOMER');
export const ADMIN = '01ADMIN0000000000000000000';
export const asCustomer = (id: string) => bearer(id, 'customer');
export const asAdmin = () => bearer(ADMIN, 'admin');

/** An event as the rule's Lambda target receives it from EventBridge, built through its contract. */
export const busEvent = <E extends EventContract>(event: E, data: EventData<E>, correlationId = 'orders-corr') =>
  sharedBusEvent(event, data, { correlationId });

export function orderConfirmed(orderId: string, customer: string) {
  return busEvent(OrderConfirmed, {
    orderId, customerId: customer, items: [{ productId: '01PRODUCT', quantity: 2, unitPriceCents: 1299 }], totalCents: 2598,
    currency: 'USD', shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  });
}

export function orderCancelled(orderId: string, customer: string, reason: EventData<typeof OrderCancelled>['reason'] = 'CUSTOMER_REQUEST') {
  return busEvent(OrderCancelled, { orderId, customerId: customer, reason, refunded: reason === 'CUSTOMER_REQUEST' });
}

/** Delivers an event the way the rule's Lambda target does. */
export const deliverEvent = (fx: ShippingFixture, event: EventBridgeEvent<string, unknown>) => fx.onOrderEvent(event, lambdaContext());

/** Invokes the claim the way the orders cancel route does (Lambda Invoke, RequestResponse). */
export const claimShipment = (fx: ShippingFixture, orderId: string, customer: string) =>
  fx.claimShipment({ orderId, customerId: customer, correlationId: 'cancel-corr' }, lambdaContext());

const shipmentPath = (orderId: string, suffix = '') => ({
  resource: `/shipments/{orderId}${suffix}`,
  path: `/shipments/${orderId}${suffix}`,
  pathParameters: { orderId },
});

export const getShipment = (fx: ShippingFixture, orderId: string, headers: Record<string, string>) =>
  call<Shipment>(fx.api.getShipment, { method: 'GET', ...shipmentPath(orderId), headers });

export const dispatchShipment = (fx: ShippingFixture, orderId: string, body: unknown, headers: Record<string, string> = asAdmin()) =>
  call<Shipment>(fx.api.dispatchShipment, { method: 'POST', ...shipmentPath(orderId, '/dispatch'), body, headers });

export const deliverShipment = (fx: ShippingFixture, orderId: string, headers: Record<string, string> = asAdmin()) =>
  call<Shipment>(fx.api.deliverShipment, { method: 'POST', ...shipmentPath(orderId, '/deliver'), headers });

export const carriage = { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' };

/** A confirmed order of `customer` with its PREPARING shipment. */
export async function preparedShipment(fx: ShippingFixture, customer = customerId()): Promise<{ orderId: string; customer: string }> {
  const orderId = newOrderId();
  await deliverEvent(fx, orderConfirmed(orderId, customer));
  expect((await getShipment(fx, orderId, asAdmin())).body.status).toBe('PREPARING');
  return { orderId, customer };
}

/** A shipment moved on by the admin routes to `status`. */
export async function shipmentIn(fx: ShippingFixture, status: 'PREPARING' | 'DISPATCHED' | 'DELIVERED' | 'CANCELLED') {
  const shipment = await preparedShipment(fx);
  if (status === 'CANCELLED') await deliverEvent(fx, orderCancelled(shipment.orderId, shipment.customer));
  if (status === 'DISPATCHED' || status === 'DELIVERED') expect((await dispatchShipment(fx, shipment.orderId, carriage)).status).toBe(200);
  if (status === 'DELIVERED') expect((await deliverShipment(fx, shipment.orderId)).status).toBe(200);
  expect((await getShipment(fx, shipment.orderId, asAdmin())).body.status).toBe(status);
  return shipment;
}

/** What the table holds at the order's shipment key: its shipment, or the note of a cancellation that found none. */
async function shipmentKeyItem(fx: ShippingFixture, orderId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await fx.env.db.send(
    new GetCommand({ TableName: fx.env.tableName, Key: { pk: `ORDER#${orderId}`, sk: 'SHIPMENT' }, ConsistentRead: true }),
  );
  return Item;
}

/** The stored shipment item, as the table holds it. */
export async function shipmentItem(fx: ShippingFixture, orderId: string): Promise<Record<string, unknown> | undefined> {
  const item = await shipmentKeyItem(fx, orderId);
  return item?.kind === 'shipment' ? item : undefined;
}

export async function cancellationNote(fx: ShippingFixture, orderId: string): Promise<Record<string, unknown> | undefined> {
  const item = await shipmentKeyItem(fx, orderId);
  return item?.kind === 'orderCancelledNote' ? item : undefined;
}

export interface OutboxRecord<E extends EventContract> {
  source: string;
  detailType: string;
  detail: EventDetail<E>;
}

/** The outbox record of one event, parsed with its contract (the consumer's view of it). */
export async function outboxRecord<E extends EventContract>(fx: ShippingFixture, eventId: string, event: E): Promise<OutboxRecord<E>> {
  const { Item } = await fx.env.db.send(
    new GetCommand({ TableName: fx.env.tableName, Key: { pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' }, ConsistentRead: true }),
  );
  expect(Item, `outbox record ${eventId}`).toBeDefined();
  return {
    source: Item!.source as string,
    detailType: Item!.detailType as string,
    detail: event.detail.parse(JSON.parse(Item!.detail as string)) as EventDetail<E>,
  };
}

export { errorPaths, problem, type ProblemBody } from '../../support/problem';
