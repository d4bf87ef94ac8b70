import { DynamoTable, indexEntry, ITEM_ABSENT, ITEM_EXISTS, itemKey, presentFields, putNew, type Item, type TableWrite } from '../../shared/dynamo';
import { relayedEvent, type PendingEvent } from '../../shared/events/outbox';
import type { ActiveProductCopy, CatalogCopyStore, ProductCopy } from '../domain/catalog-copy';
import type { IdempotencyRecord } from '../domain/idempotency';
import type { OrderEvent, OrderState } from '../domain/order';
import { type ListingPosition, type OperatorProblem, type OrderStore, type StoredOrder } from '../domain/orders';
import { snapshotDue, snapshotOf } from '../domain/replay';

/**
 * Items of the orders table:
 * - `ORDER#<id>`/`STATE`: the order as it is now, with its version (= number of events) and the
 *   keys of the sparse index gsi1 (`CUSTOMER#<customerId>`, `<createdAt>#<orderId>`): a
 *   customer's orders, newest first.
 * - `ORDER#<id>`/`EVENT#<seq, 6 digits>`: the append-only events of the order. A change writes
 *   the next event and the state (conditioned on the version it was derived from) in one
 *   transaction, so state, history and published events never disagree. The event item is its
 *   own outbox record: it carries the domain event it publishes (relayedEvent), and the relay
 *   publishes it from the stream when it is inserted, so an event is one item, not two. The first
 *   (OrderPlaced) carries the order as placed, so the events alone make the order again.
 * - `ORDER#<id>`/`EVENT#<seq>#SNAPSHOT`: the order as its first <seq> events make it, written in
 *   the transaction of every `snapshotEvery`-th event. Its key sorts right after that event's and
 *   before the next one's, so one Query of the events newest first, `snapshotEvery` items long,
 *   reaches the newest snapshot and holds every event after it (dynamo-order-history.ts). It
 *   carries no event, so the relay never publishes it.
 * - `ORDER#<id>`/`PAYMENT`: the payment token the saga charges, written with the order and read
 *   only by the consumer of OrderPlaced that starts the saga (the token never goes on the bus,
 *   and stays out of the state item, its index and every view).
 * - `CUSTOMER#<customerId>`/`IDEMPOTENCY#<key>`: which order an Idempotency-Key placed, with
 *   the hash of the request's canonical body; removed by TTL after a day.
 * - `PRODUCT#<productId>`/`PRODUCT`: the orders context's copy of a catalog product.
 */
export const orderPartition = (orderId: string) => `ORDER#${orderId}`;
const STATE = 'STATE';
export const stateKey = (orderId: string) => itemKey(orderPartition(orderId), STATE);
export const EVENT_PREFIX = 'EVENT#';
const paymentKey = (orderId: string) => itemKey(orderPartition(orderId), 'PAYMENT');
export const eventSortKey = (seq: number) => `${EVENT_PREFIX}${String(seq).padStart(6, '0')}`;
const eventKey = (orderId: string, seq: number) => itemKey(orderPartition(orderId), eventSortKey(seq));
const snapshotKey = (orderId: string, seq: number) => itemKey(orderPartition(orderId), `${eventSortKey(seq)}#SNAPSHOT`);
export const ORDER_ITEM_KINDS = { state: 'order', event: 'orderEvent', snapshot: 'orderSnapshot' } as const;
const customerPartition = (customerId: string) => `CUSTOMER#${customerId}`;
const listingKey = ({ createdAt, orderId }: ListingPosition) => `${createdAt}#${orderId}`;
const idempotencyKey = (customerId: string, key: string) => itemKey(customerPartition(customerId), `IDEMPOTENCY#${key}`);
const productKey = (productId: string) => itemKey(`PRODUCT#${productId}`, 'PRODUCT');

export function stateItem(state: OrderState): Item {
  return { ...stateKey(state.orderId), kind: ORDER_ITEM_KINDS.state, ...state, ...indexEntry('gsi1', customerPartition(state.customerId), listingKey(state)) };
}

function eventItem(orderId: string, event: OrderEvent, pending: PendingEvent): Item {
  return { ...eventKey(orderId, event.seq), kind: ORDER_ITEM_KINDS.event, orderId, ...event, ...relayedEvent(pending) };
}

/** The event's write, and the snapshot of the order it makes when one is due: one transaction, so no snapshot is ever ahead of the events. */
function eventWrites(state: OrderState, event: OrderEvent, pending: PendingEvent, snapshotEvery: number): TableWrite[] {
  const writes = [putNew(eventItem(state.orderId, event, pending))];
  if (snapshotDue(event.seq, snapshotEvery)) {
    writes.push(putNew({ ...snapshotKey(state.orderId, event.seq), kind: ORDER_ITEM_KINDS.snapshot, orderId: state.orderId, seq: event.seq, state: snapshotOf(state) }));
  }
  return writes;
}

export function toState(item: Item): OrderState {
  const {
    orderId, customerId, status, statusReason, items, totalCents, currency, shippingAddress, createdAt, updatedAt, version,
    correlationId, cancelRequested, needsOperator,
  } = item as unknown as OrderState;
  return {
    orderId, customerId, status, items, totalCents, currency, shippingAddress, createdAt, updatedAt, version, correlationId,
    ...presentFields({ statusReason, cancelRequested, needsOperator }),
  };
}

export function toEvent(item: Item): OrderEvent {
  const { seq, type, status, reason, refunded, carrier, trackingNumber, at, eventId, placed } = item as unknown as OrderEvent;
  return { seq, type, status, at, eventId, ...presentFields({ reason, refunded, carrier, trackingNumber, placed }) };
}

function toIdempotencyRecord(item: Item): IdempotencyRecord {
  const { customerId, key, requestHash, orderId, createdAt, expiresAt } = item as unknown as IdempotencyRecord;
  return { customerId, key, requestHash, orderId, createdAt, expiresAt };
}

function toProductCopy(item: Item): ProductCopy {
  const { productId, status, version, name, priceCents, currency } = item as unknown as ActiveProductCopy | (ProductCopy & Partial<ActiveProductCopy>);
  if (status === 'ACTIVE') return { productId, status, name: name!, priceCents: priceCents!, currency: currency!, version };
  return { productId, status: 'ARCHIVED', version };
}

/** The events of each order of `states`, oldest first: the version counts them, so their keys are known. */
async function eventsOf(table: DynamoTable, states: readonly OrderState[]): Promise<Map<string, OrderEvent[]>> {
  const keys = states.flatMap((state) => Array.from({ length: state.version }, (_, i) => eventKey(state.orderId, i + 1)));
  const eventsByOrder = new Map<string, OrderEvent[]>(states.map((state) => [state.orderId, []]));
  for (const item of await table.batchGetAll(keys)) eventsByOrder.get(item.orderId as string)?.push(toEvent(item));
  for (const events of eventsByOrder.values()) events.sort((a, b) => a.seq - b.seq);
  return eventsByOrder;
}

/** The order's state update of an append: an update, not a put, so flags set outside the event stream survive. */
function appendUpdate(next: OrderState, expectedVersion: number, unlessCancelRequested: boolean) {
  const values: Record<string, unknown> = {
    ':status': next.status, ':updatedAt': next.updatedAt, ':version': next.version, ':expected': expectedVersion,
  };
  let update = 'SET #status = :status, updatedAt = :updatedAt, #version = :version';
  if (next.statusReason !== undefined) {
    update += ', statusReason = :reason';
    values[':reason'] = next.statusReason;
  }
  return {
    Update: {
      Key: stateKey(next.orderId),
      UpdateExpression: update,
      ConditionExpression: `#version = :expected${unlessCancelRequested ? ' AND attribute_not_exists(cancelRequested)' : ''}`,
      ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
      ExpressionAttributeValues: values,
    },
  };
}

/** The operator flag's update: the problem's fields that are known. */
function flagUpdate({ error, cause, failedStep, at }: OperatorProblem) {
  const values: Record<string, unknown> = { ':yes': true, ':at': at };
  const sets = ['needsOperator = :yes', 'flaggedAt = :at'];
  const known = { operatorError: error, operatorCause: cause, failedStep };
  for (const [field, value] of Object.entries(known)) {
    if (value === undefined) continue;
    sets.push(`${field} = :${field}`);
    values[`:${field}`] = value;
  }
  return { UpdateExpression: `SET ${sets.join(', ')}`, ExpressionAttributeValues: values };
}

export interface OrderStoreOptions {
  /** Every how many events a snapshot is written (read at the first write: only the functions that append have it). */
  readonly snapshotEvery: () => number;
}

export function dynamoOrderStore(tableName: string, { snapshotEvery }: OrderStoreOptions): OrderStore {
  const table = new DynamoTable(tableName);

  return {
    async idempotencyRecord(customerId, key) {
      const item = await table.get(idempotencyKey(customerId, key));
      return item ? toIdempotencyRecord(item) : undefined;
    },

    async create(order, first, event, paymentToken, idempotency) {
      const claim = idempotency && {
        Put: {
          Item: { ...idempotencyKey(idempotency.customerId, idempotency.key), kind: 'idempotency', ...idempotency, ttl: idempotency.expiresAt },
          // An expired record that TTL has not removed yet no longer holds the key.
          ConditionExpression: `${ITEM_ABSENT} OR expiresAt <= :now`,
          ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
        },
      };
      const payment = { ...paymentKey(order.orderId), kind: 'orderPayment', orderId: order.orderId, paymentToken };
      const result = await table.transact(
        [...(claim ? [claim] : []), putNew(stateItem(order)), ...eventWrites(order, first, event, snapshotEvery()), putNew(payment)],
      );
      if (result.written) return 'created';
      // Only the key is shared with other requests: a lost race on it means another request claimed it.
      if (claim && (result.failed[0] || result.lostRace)) return 'keyTaken';
      throw result.error;
    },

    async get(orderId) {
      // Sort keys are zero-padded, so the query returns the events oldest first.
      const items = await table.queryUpTo({ partition: orderPartition(orderId), consistent: true });
      const state = items.find((item) => item.sk === STATE);
      if (!state) return undefined;
      return { state: toState(state), events: items.filter((item) => item.kind === ORDER_ITEM_KINDS.event).map(toEvent) };
    },

    async forSagaStart(orderId) {
      // The partition holds both items (and the order's few events): one Query instead of two GetItems.
      const items = await table.queryUpTo({ partition: orderPartition(orderId), consistent: true });
      const state = items.find((item) => item.sk === STATE);
      if (!state) return undefined;
      const payment = items.find((item) => item.sk === paymentKey(orderId).sk);
      return { state: toState(state), paymentToken: payment?.paymentToken as string | undefined };
    },

    async claimSagaStart(orderId, at) {
      const claimed = await table.updateIf({
        Key: stateKey(orderId),
        UpdateExpression: 'SET sagaStartedAt = if_not_exists(sagaStartedAt, :at)',
        // A claim once made holds, even after a cancellation requested since: that saga compensates.
        ConditionExpression: '#status = :pending AND (attribute_exists(sagaStartedAt) OR attribute_not_exists(cancelRequested))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': at, ':pending': 'PENDING' },
      });
      if (claimed) return 'claimed';
      // Stable once the condition failed: cancelRequested is never removed, so no claim can follow it.
      const item = await table.get(stateKey(orderId));
      const cancelledFirst = item?.status === 'PENDING' && item.cancelRequested === true && item.sagaStartedAt === undefined;
      return cancelledFirst ? 'cancelRequested' : 'notPending';
    },

    append(next, event, pending, { expectedVersion, unlessCancelRequested }) {
      return table.transactIf([appendUpdate(next, expectedVersion, unlessCancelRequested), ...eventWrites(next, event, pending, snapshotEvery())]);
    },

    requestCancellation(orderId, at) {
      // A TransactionConflict (a saga task's transaction holds the order) propagates: cancelOrder
      // retries it like any other lost race.
      return table.updateIf({
        Key: stateKey(orderId),
        UpdateExpression: 'SET cancelRequested = :yes, cancelRequestedAt = if_not_exists(cancelRequestedAt, :at)',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':yes': true, ':at': at, ':pending': 'PENDING' },
      });
    },

    async flag(orderId, problem) {
      const flagged = await table.updateIf({
        Key: stateKey(orderId), ...flagUpdate(problem), ConditionExpression: `${ITEM_EXISTS} AND attribute_not_exists(needsOperator)`,
      });
      if (flagged) return 'flagged';
      return (await table.get(stateKey(orderId))) ? 'alreadyFlagged' : 'missing';
    },

    async listByCustomer(customerId, { after, limit }) {
      const items = await table.queryUpTo(
        { index: 'gsi1', partition: customerPartition(customerId), below: after && listingKey(after), newestFirst: true },
        limit,
      );
      if (items.length === 0) return [];
      const states = items.map(toState);
      // One batched read for the events of the whole page.
      const eventsByOrder = await eventsOf(table, states);
      return states.map((state): StoredOrder => ({ state, events: eventsByOrder.get(state.orderId) ?? [] }));
    },
  };
}

/**
 * The catalog copy: one item per product, written whole. Each write is conditioned on the stored
 * version being older, so a duplicate or overtaken catalog event changes nothing.
 */
export function dynamoCatalogCopyStore(tableName: string): CatalogCopyStore {
  const table = new DynamoTable(tableName);
  const newerThanStored = `${ITEM_ABSENT} OR #version < :version`;

  return {
    save(copy) {
      return table.putIf({
        Item: { ...productKey(copy.productId), kind: 'productCopy', ...copy },
        ConditionExpression: newerThanStored,
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': copy.version },
      });
    },

    archive(productId, version) {
      // An update keeps the name and price (when known) for orders that refer to the product.
      return table.updateIf({
        Key: productKey(productId),
        UpdateExpression: 'SET #status = :archived, #version = :version, productId = :productId, kind = :kind',
        ConditionExpression: newerThanStored,
        ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
        ExpressionAttributeValues: { ':archived': 'ARCHIVED', ':version': version, ':productId': productId, ':kind': 'productCopy' },
      });
    },

    async getMany(productIds) {
      const unique = [...new Set(productIds)];
      if (unique.length === 0) return new Map();
      const items = await table.batchGetAll(unique.map(productKey));
      return new Map(items.map((item) => [item.productId as string, toProductCopy(item)]));
    },
  };
}
