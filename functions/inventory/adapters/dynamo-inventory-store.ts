import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/aws-clients';
import { failedConditions, isConditionFailure, lostToConcurrentTransaction } from '../../shared/dynamo';
import { outboxPut, outboxPuts, type PendingEvent } from '../../shared/events/outbox';
import type { InventoryStore, WriteResult } from '../domain/inventory';
import type { Reservation, ReservationStatus } from '../domain/reservation';
import type { StockChange, StockRecord } from '../domain/stock';

/**
 * Items: `STOCK#<productId>`/`STOCK` (a product's counters) and `RESERVATION#<orderId>`/`RESERVATION`
 * (what the saga's steps did to an order's units; the key every step is idempotent on). A
 * reservation and the stock changes it causes are written in one transaction with one outbox
 * record carrying their events, the reservation first: 1 + lines + 1 items (52 for a 50-line order).
 */
const stockKey = (productId: string) => ({ pk: `STOCK#${productId}`, sk: 'STOCK' });
const reservationKey = (orderId: string) => ({ pk: `RESERVATION#${orderId}`, sk: 'RESERVATION' });

/** DynamoDB's limit on the items of one TransactWriteItems. */
const TRANSACTION_LIMIT = 100;

function toStock(item: Record<string, unknown>): StockRecord {
  const { productId, available, reserved, updatedAt } = item as unknown as StockRecord;
  return { productId, available, reserved, updatedAt };
}

function toReservation(item: Record<string, unknown>): Reservation {
  const { orderId, status, items, shortOf, reason, createdAt, updatedAt } = item as unknown as Reservation;
  return {
    orderId, status, items, createdAt, updatedAt,
    ...(shortOf === undefined ? {} : { shortOf }),
    ...(reason === undefined ? {} : { reason }),
  };
}

/** The Update of one stock change: counters by delta, guarded by the record's existence and the change's conditions. */
function stockUpdate(tableName: string, change: StockChange, at: string) {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':at': at };
  const assignments = ['#updatedAt = :at'];
  for (const field of ['available', 'reserved'] as const) {
    if (change[field] === 0) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = change[field];
    assignments.push(`#${field} = #${field} + :${field}`);
  }
  const conditions = ['attribute_exists(pk)'];
  change.conditions.forEach((condition, i) => {
    names[`#${condition.field}`] = condition.field;
    values[`:c${i}`] = condition.value;
    conditions.push(`#${condition.field} ${condition.op} :c${i}`);
  });
  return {
    Update: {
      TableName: tableName,
      Key: stockKey(change.productId),
      UpdateExpression: `SET ${assignments.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

export function dynamoInventoryStore(tableName: string): InventoryStore {
  const db = documentClient();

  const reservationPut = (reservation: Reservation, condition: { expression: string; values?: Record<string, unknown> }) => ({
    Put: {
      TableName: tableName,
      Item: { ...reservationKey(reservation.orderId), kind: 'reservation', ...reservation },
      ConditionExpression: condition.expression,
      ...(condition.values ? { ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: condition.values } : {}),
    },
  });

  /**
   * Writes a reservation with its stock changes and events. Which item failed tells the domain
   * what to read again: the reservation (item 0), or a stock record (items 1..n).
   */
  async function writeReservation(
    put: ReturnType<typeof reservationPut>,
    reservation: Reservation,
    changes: readonly StockChange[],
    events: readonly PendingEvent[],
  ): Promise<WriteResult> {
    const items = [
      put,
      ...changes.map((change) => stockUpdate(tableName, change, reservation.updatedAt)),
      // One outbox record for all its events: a 50-line order crossing the low-stock threshold on
      // every line causes 51 events, which as 51 items would take the transaction past 100.
      ...outboxPuts(tableName, events),
    ];
    if (items.length > TRANSACTION_LIMIT) {
      throw new Error(`Order ${reservation.orderId} needs ${items.length} writes in one transaction; DynamoDB allows ${TRANSACTION_LIMIT}`);
    }
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'written';
    } catch (error) {
      return cancelledWrite(error, (failed) => (failed[0] ? 'reservationChanged' : 'stockChanged'));
    }
  }

  return {
    async stock(productId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: stockKey(productId), ConsistentRead: true }));
      return Item ? toStock(Item) : undefined;
    },

    async createStock(stock) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...stockKey(stock.productId), kind: 'stock', ...stock },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async changeStock(change, at, event) {
      try {
        await db.send(new TransactWriteCommand({ TransactItems: [stockUpdate(tableName, change, at), outboxPut(tableName, event)] }));
        return 'written';
      } catch (error) {
        return cancelledWrite(error, () => 'stockChanged');
      }
    },

    async reservation(orderId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: reservationKey(orderId), ConsistentRead: true }));
      return Item ? toReservation(Item) : undefined;
    },

    createReservation(reservation, changes, events) {
      return writeReservation(reservationPut(reservation, { expression: 'attribute_not_exists(pk)' }), reservation, changes, events);
    },

    settleReservation(reservation, from: ReservationStatus, changes, events) {
      const put = reservationPut(reservation, { expression: '#status = :from', values: { ':from': from } });
      return writeReservation(put, reservation, changes, events);
    },
  };
}

/**
 * A cancelled transaction as a WriteResult: a failed condition names what changed since the
 * read (it wins over a conflict on another item: reading again is what both call for); a lost
 * race is reported as such; anything else is a fault.
 */
function cancelledWrite(error: unknown, changed: (failed: boolean[]) => WriteResult): WriteResult {
  const failed = failedConditions(error);
  if (failed?.some(Boolean)) return changed(failed);
  if (lostToConcurrentTransaction(error)) return 'lostRace';
  throw error;
}
