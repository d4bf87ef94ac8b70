import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type * as z from 'zod';
import type { NotificationPage } from '../../../functions/contracts/api/notifications';
import type { EventContract, EventData } from '../../../functions/contracts/events/envelope';
import {
  OrderCancelled, OrderConfirmed, OrderDelivered, OrderRejected, OrderShipped,
} from '../../../functions/contracts/events/orders';
import { UserRegistered } from '../../../functions/contracts/events/users';
import { bearer, type useHandlerEnvironment } from '../../support/handler-env';
import { call, lambdaContext } from '../../support/http';
import { busEvent as sharedBusEvent } from '../../support/bus-event';

export type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;
export type Page = z.infer<typeof NotificationPage>;

/** The notifications handlers, loaded after the handler environment is in place (they read it at load). */
export async function loadHandlers() {
  return {
    onEvent: (await import('../../../functions/notifications/handlers/on-event')).handler,
    list: (await import('../../../functions/notifications/handlers/list-notifications')).handler,
  };
}
export type Handlers = Awaited<ReturnType<typeof loadHandlers>>;

/** Tests share one table: every user and order gets its own id. */
export const newUserId = () => `01USER-${randomUUID()}`;
export const newOrderId = () => `01ORDER-${randomUUID()}`;

/** An event as the rule puts it on the queue: the whole EventBridge event, built through its contract. */
export const busEvent = <E extends EventContract>(event: E, data: EventData<E>) =>
  sharedBusEvent(event, data, { correlationId: 'corr-notifications' });

/** The same event with other metadata: a chosen time, or a chosen id. */
export function withMetadata(event: EventBridgeEvent<string, unknown>, metadata: { occurredAt?: string; eventId?: string }) {
  const detail = event.detail as { metadata: object; data: unknown };
  return { ...event, detail: { ...detail, metadata: { ...detail.metadata, ...metadata } } };
}

export const eventIdOf = (event: EventBridgeEvent<string, unknown>) => (event.detail as { metadata: { eventId: string } }).metadata.eventId;

/** Invokes the consumer with one batch, the way the SQS event source mapping does. */
export async function deliver(handlers: Handlers, ...records: SQSRecord[]): Promise<SQSBatchResponse> {
  const event: SQSEvent = { Records: records };
  return (await handlers.onEvent(event, lambdaContext())) as SQSBatchResponse;
}

export const registered = (userId: string, overrides: Partial<EventData<typeof UserRegistered>> = {}) =>
  busEvent(UserRegistered, { userId, email: `${userId.toLowerCase()}@example.com`, name: 'Ada', ...overrides });

const line = { productId: '01PRODUCT', quantity: 2, unitPriceCents: 1299 };
const address = { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' };

/** One event of each kind that notifies a customer about an order. */
export const orderEvents = {
  confirmed: (customerId: string, orderId: string) =>
    busEvent(OrderConfirmed, { orderId, customerId, items: [line], totalCents: 2598, currency: 'USD', shippingAddress: address }),
  rejected: (customerId: string, orderId: string) => busEvent(OrderRejected, { orderId, customerId, reason: 'OUT_OF_STOCK' }),
  cancelled: (customerId: string, orderId: string) =>
    busEvent(OrderCancelled, { orderId, customerId, reason: 'PAYMENT_DECLINED', refunded: false }),
  shipped: (customerId: string, orderId: string) =>
    busEvent(OrderShipped, { orderId, customerId, carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }),
  delivered: (customerId: string, orderId: string) => busEvent(OrderDelivered, { orderId, customerId }),
};

export const listNotifications = (handlers: Handlers, userId: string | undefined, query?: Record<string, string>) =>
  call<Page>(handlers.list, { method: 'GET', path: '/notifications', query, headers: userId ? bearer(userId) : {} });

/** Every stored notification item of a user, straight from the table (the API shows only part of them). */
export async function storedNotifications(env: Env, userId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await env.db.send(
    new QueryCommand({
      TableName: env.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `NOTIFICATIONS#${userId}` },
      ConsistentRead: true,
    }),
  );
  return Items;
}

export async function storedItem(env: Env, pk: string, sk: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await env.db.send(new GetCommand({ TableName: env.tableName, Key: { pk, sk }, ConsistentRead: true }));
  return Item;
}

export const recordedMessage = (env: Env, notificationId: string) => storedItem(env, `MESSAGE#${notificationId}`, 'MESSAGE');
export const unreadCounter = async (env: Env, userId: string) => (await storedItem(env, `USER#${userId}`, 'UNREAD'))?.unread;
