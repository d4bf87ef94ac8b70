import {
  BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/aws-clients';
import { failedConditions, isConditionFailure, lostToConcurrentTransaction } from '../../shared/dynamo';
import { outboxPut } from '../../shared/events/outbox';
import type { ActiveProductCopy, CatalogCopyStore, ProductCopy } from '../domain/catalog-copy';
import type { IdempotencyRecord } from '../domain/idempotency';
import type { OrderEvent, OrderState } from '../domain/order';
import { type ListingPosition, type OrderStore, type StoredOrder } from '../domain/orders';

/**
 * Items of the orders table:
 * - `ORDER#<id>`/`STATE`: the order as it is now, with its version (= number of events) and the
 *   keys of the sparse index gsi1 (`CUSTOMER#<customerId>`, `<createdAt>#<orderId>`): a
 *   customer's orders, newest first.
 * - `ORDER#<id>`/`EVENT#<seq, 6 digits>`: the append-only events of the order. A change writes
 *   the next event, the state (conditioned on the version it was derived from) and the outbox
 *   record in one transaction, so state, history and published events never disagree.
 * - `ORDER#<id>`/`PAYMENT`: the payment token the saga charges, written with the order and read
 *   only by the consumer of OrderPlaced that starts the saga (the token never goes on the bus,
 *   and stays out of the state item, its index and every view).
 * - `CUSTOMER#<customerId>`/`IDEMPOTENCY#<key>`: which order an Idempotency-Key placed, with
 *   the hash of the request's canonical body; removed by TTL after a day.
 * - `PRODUCT#<productId>`/`PRODUCT`: the orders context's copy of a catalog product.
 */
const orderPartition = (orderId: string) => `ORDER#${orderId}`;
const STATE = 'STATE';
const EVENT_PREFIX = 'EVENT#';
const paymentKey = (orderId: string) => ({ pk: orderPartition(orderId), sk: 'PAYMENT' });
const eventSortKey = (seq: number) => `${EVENT_PREFIX}${String(seq).padStart(6, '0')}`;
const customerPartition = (customerId: string) => `CUSTOMER#${customerId}`;
const listingKey = ({ createdAt, orderId }: ListingPosition) => `${createdAt}#${orderId}`;
const idempotencyKey = (customerId: string, key: string) => ({ pk: customerPartition(customerId), sk: `IDEMPOTENCY#${key}` });
const productKey = (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' });

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_GET_LIMIT = 100;
const UNPROCESSED_RETRY_DELAYS_MS = [25, 50, 100, 200, 400, 800];

function stateItem(state: OrderState): Record<string, unknown> {
  return {
    pk: orderPartition(state.orderId),
    sk: STATE,
    kind: 'order',
    ...state,
    gsi1pk: customerPartition(state.customerId),
    gsi1sk: listingKey(state),
  };
}

function eventItem(orderId: string, event: OrderEvent): Record<string, unknown> {
  return { pk: orderPartition(orderId), sk: eventSortKey(event.seq), kind: 'orderEvent', orderId, ...event };
}

function toState(item: Record<string, unknown>): OrderState {
  const {
    orderId, customerId, status, statusReason, items, totalCents, currency, shippingAddress, createdAt, updatedAt, version,
    correlationId, cancelRequested, needsOperator,
  } = item as unknown as OrderState;
  return {
    orderId, customerId, status, ...(statusReason === undefined ? {} : { statusReason }), items, totalCents, currency,
    shippingAddress, createdAt, updatedAt, version, correlationId,
    ...(cancelRequested === undefined ? {} : { cancelRequested }),
    ...(needsOperator === undefined ? {} : { needsOperator }),
  };
}

function toEvent(item: Record<string, unknown>): OrderEvent {
  const { seq, type, status, reason, refunded, carrier, trackingNumber, at, eventId } = item as unknown as OrderEvent;
  return {
    seq, type, status, ...(reason === undefined ? {} : { reason }), ...(refunded === undefined ? {} : { refunded }),
    ...(carrier === undefined ? {} : { carrier }), ...(trackingNumber === undefined ? {} : { trackingNumber }), at, eventId,
  };
}

function toIdempotencyRecord(item: Record<string, unknown>): IdempotencyRecord {
  const { customerId, key, requestHash, orderId, createdAt, expiresAt } = item as unknown as IdempotencyRecord;
  return { customerId, key, requestHash, orderId, createdAt, expiresAt };
}

function toProductCopy(item: Record<string, unknown>): ProductCopy {
  const { productId, status, version, name, priceCents, currency } = item as unknown as ActiveProductCopy | (ProductCopy & Partial<ActiveProductCopy>);
  if (status === 'ACTIVE') return { productId, status, name: name!, priceCents: priceCents!, currency: currency!, version };
  return { productId, status: 'ARCHIVED', version };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every item of `keys`, however DynamoDB splits the work: unprocessed keys are asked for again. */
async function batchGet(tableName: string, keys: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const db = documentClient();
  const chunks: Record<string, unknown>[][] = [];
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) chunks.push(keys.slice(i, i + BATCH_GET_LIMIT));
  const pages = await Promise.all(
    chunks.map(async (chunk) => {
      const found: Record<string, unknown>[] = [];
      let pending: Record<string, unknown>[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > UNPROCESSED_RETRY_DELAYS_MS.length) throw new Error('BatchGetItem kept returning unprocessed keys');
        if (attempt > 0) await sleep(UNPROCESSED_RETRY_DELAYS_MS[attempt - 1]!);
        const { Responses, UnprocessedKeys } = await db.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        found.push(...(Responses?.[tableName] ?? []));
        pending = (UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
      }
      return found;
    }),
  );
  return pages.flat();
}

function listingQuery(tableName: string, customerId: string, after: ListingPosition | undefined): QueryCommandInput {
  const names: Record<string, string> = { '#pk': 'gsi1pk' };
  const values: Record<string, unknown> = { ':pk': customerPartition(customerId) };
  let condition = '#pk = :pk';
  // DynamoDB rejects declared names and values that the expression does not use.
  if (after !== undefined) {
    condition += ' AND #sk < :after';
    names['#sk'] = 'gsi1sk';
    values[':after'] = listingKey(after);
  }
  return {
    TableName: tableName,
    IndexName: 'gsi1',
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
  };
}

export function dynamoOrderStore(tableName: string): OrderStore {
  const db = documentClient();

  async function get(orderId: string): Promise<StoredOrder | undefined> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': orderPartition(orderId) },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...Items);
      startKey = LastEvaluatedKey;
    } while (startKey);
    const state = items.find((item) => item.sk === STATE);
    if (!state) return undefined;
    // Sort keys are zero-padded, so the query returns the events oldest first.
    const events = items.filter((item) => String(item.sk).startsWith(EVENT_PREFIX)).map(toEvent);
    return { state: toState(state), events };
  }

  return {
    async idempotencyRecord(customerId, key) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: idempotencyKey(customerId, key), ConsistentRead: true }));
      return Item ? toIdempotencyRecord(Item) : undefined;
    },

    async create(order, first, event, paymentToken, idempotency) {
      const claim = idempotency && {
        Put: {
          TableName: tableName,
          Item: { ...idempotencyKey(idempotency.customerId, idempotency.key), kind: 'idempotency', ...idempotency, ttl: idempotency.expiresAt },
          // An expired record that TTL has not removed yet no longer holds the key.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': Math.floor(Date.now() / 1000) },
        },
      };
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              ...(claim ? [claim] : []),
              { Put: { TableName: tableName, Item: stateItem(order), ConditionExpression: 'attribute_not_exists(pk)' } },
              { Put: { TableName: tableName, Item: eventItem(order.orderId, first), ConditionExpression: 'attribute_not_exists(pk)' } },
              outboxPut(tableName, event),
              {
                Put: {
                  TableName: tableName,
                  Item: { ...paymentKey(order.orderId), kind: 'orderPayment', orderId: order.orderId, paymentToken },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          }),
        );
        return 'created';
      } catch (error) {
        // Only the key is shared with other requests: a lost race on it means another request claimed it.
        if (claim && (failedConditions(error)?.[0] || lostToConcurrentTransaction(error))) return 'keyTaken';
        throw error;
      }
    },

    get,

    async paymentToken(orderId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: paymentKey(orderId), ConsistentRead: true }));
      return Item?.paymentToken as string | undefined;
    },

    async claimSagaStart(orderId, at) {
      const key = { pk: orderPartition(orderId), sk: STATE };
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET sagaStartedAt = if_not_exists(sagaStartedAt, :at)',
            // A claim once made holds, even after a cancellation requested since: that saga compensates.
            ConditionExpression: '#status = :pending AND (attribute_exists(sagaStartedAt) OR attribute_not_exists(cancelRequested))',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':at': at, ':pending': 'PENDING' },
          }),
        );
        return 'claimed';
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        // Stable once the condition failed: cancelRequested is never removed, so no claim can follow it.
        const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
        const cancelledFirst = Item?.status === 'PENDING' && Item.cancelRequested === true && Item.sagaStartedAt === undefined;
        return cancelledFirst ? 'cancelRequested' : 'notPending';
      }
    },

    async append(next, event, pending, { expectedVersion, unlessCancelRequested }) {
      const values: Record<string, unknown> = {
        ':status': next.status, ':updatedAt': next.updatedAt, ':version': next.version, ':expected': expectedVersion,
      };
      let update = 'SET #status = :status, updatedAt = :updatedAt, #version = :version';
      if (next.statusReason !== undefined) {
        update += ', statusReason = :reason';
        values[':reason'] = next.statusReason;
      }
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                // An update, not a put: flags set outside the event stream (cancelRequested, needsOperator) survive.
                Update: {
                  TableName: tableName,
                  Key: { pk: orderPartition(next.orderId), sk: STATE },
                  UpdateExpression: update,
                  ConditionExpression: `#version = :expected${unlessCancelRequested ? ' AND attribute_not_exists(cancelRequested)' : ''}`,
                  ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
                  ExpressionAttributeValues: values,
                },
              },
              { Put: { TableName: tableName, Item: eventItem(next.orderId, event), ConditionExpression: 'attribute_not_exists(pk)' } },
              outboxPut(tableName, pending),
            ],
          }),
        );
        return true;
      } catch (error) {
        if (failedConditions(error)?.some(Boolean) || lostToConcurrentTransaction(error)) return false;
        throw error;
      }
    },

    async requestCancellation(orderId, at) {
      const request = {
        TableName: tableName,
        Key: { pk: orderPartition(orderId), sk: STATE },
        UpdateExpression: 'SET cancelRequested = :yes, cancelRequestedAt = if_not_exists(cancelRequestedAt, :at)',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':yes': true, ':at': at, ':pending': 'PENDING' },
      };
      try {
        // A TransactionConflict (a saga step's transaction holds the order) propagates: cancelOrder
        // retries it like any other lost race.
        await db.send(new UpdateCommand(request));
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async flag(orderId, { error, cause, at }) {
      const values: Record<string, unknown> = { ':yes': true, ':at': at };
      const sets = ['needsOperator = :yes', 'flaggedAt = :at'];
      if (error !== undefined) {
        sets.push('operatorError = :error');
        values[':error'] = error;
      }
      if (cause !== undefined) {
        sets.push('operatorCause = :cause');
        values[':cause'] = cause;
      }
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: orderPartition(orderId), sk: STATE },
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(needsOperator)',
            ExpressionAttributeValues: values,
          }),
        );
        return 'flagged';
      } catch (failure) {
        if (!isConditionFailure(failure)) throw failure;
        const { Item } = await db.send(
          new GetCommand({ TableName: tableName, Key: { pk: orderPartition(orderId), sk: STATE }, ConsistentRead: true }),
        );
        return Item ? 'alreadyFlagged' : 'missing';
      }
    },

    async listByCustomer(customerId, { after, limit }) {
      const query = listingQuery(tableName, customerId, after);
      const states: OrderState[] = [];
      let startKey: Record<string, unknown> | undefined;
      // One query returns at most 1 MB: keep reading until the page is full or the index ends.
      do {
        const { Items = [], LastEvaluatedKey } = await db.send(
          new QueryCommand({ ...query, Limit: limit - states.length, ExclusiveStartKey: startKey }),
        );
        states.push(...Items.map(toState));
        startKey = LastEvaluatedKey;
      } while (startKey && states.length < limit);
      if (states.length === 0) return [];

      // The version counts the events, so their keys are known: one batched read for the whole page.
      const eventKeys = states.flatMap((state) =>
        Array.from({ length: state.version }, (_, i) => ({ pk: orderPartition(state.orderId), sk: eventSortKey(i + 1) })),
      );
      const eventsByOrder = new Map<string, OrderEvent[]>();
      for (const item of await batchGet(tableName, eventKeys)) {
        const events = eventsByOrder.get(item.orderId as string) ?? [];
        events.push(toEvent(item));
        eventsByOrder.set(item.orderId as string, events);
      }
      return states.map((state) => ({
        state,
        events: (eventsByOrder.get(state.orderId) ?? []).sort((a, b) => a.seq - b.seq),
      }));
    },
  };
}

/**
 * The catalog copy: one item per product, written whole. Each write is conditioned on the stored
 * version being older, so a duplicate or overtaken catalog event changes nothing.
 */
export function dynamoCatalogCopyStore(tableName: string): CatalogCopyStore {
  const db = documentClient();
  const newerThanStored = 'attribute_not_exists(pk) OR #version < :version';

  return {
    async save(copy) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...productKey(copy.productId), kind: 'productCopy', ...copy },
            ConditionExpression: newerThanStored,
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': copy.version },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async archive(productId, version) {
      try {
        // An update keeps the name and price (when known) for orders that refer to the product.
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: productKey(productId),
            UpdateExpression: 'SET #status = :archived, #version = :version, productId = :productId, kind = :kind',
            ConditionExpression: newerThanStored,
            ExpressionAttributeNames: { '#status': 'status', '#version': 'version' },
            ExpressionAttributeValues: { ':archived': 'ARCHIVED', ':version': version, ':productId': productId, ':kind': 'productCopy' },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async getMany(productIds) {
      const unique = [...new Set(productIds)];
      if (unique.length === 0) return new Map();
      const items = await batchGet(tableName, unique.map(productKey));
      return new Map(items.map((item) => [item.productId as string, toProductCopy(item)]));
    },
  };
}
