import {
  DynamoTable, ITEM_ABSENT, ITEM_EXISTS, itemKey, presentFields, putNew, replaceIfStill, TABLE_KEYS, type Item, type TableWrite, type TransactionResult,
} from '../../shared/dynamo';
import { relayedEvents, type PendingEvent } from '../../shared/events/outbox';
import type { InventoryStore, WriteResult } from '../domain/inventory';
import type { Reservation, ReservationStatus } from '../domain/reservation';
import type { StockChange, StockRecord } from '../domain/stock';

/**
 * Items: `STOCK#<productId>`/`STOCK` (a product's counters) and `RESERVATION#<orderId>`/`RESERVATION`
 * (what the saga's steps did to an order's units; the key every step is idempotent on). A
 * reservation and the stock changes it causes are written in one transaction, the reservation
 * first, carrying their events itself (relayedEvents: the relay publishes a reservation inserted
 * or replaced with events), so no outbox record: 1 + lines items (51 for a 50-line order). Each
 * write of a reservation is a whole Put, so one written without events carries none of the last.
 * A restock's event (no reservation) is an outbox record.
 */
const STOCK = 'STOCK';
const RESERVATION = 'RESERVATION';
const stockKey = (productId: string) => itemKey(`STOCK#${productId}`, STOCK);
const reservationKey = (orderId: string) => itemKey(`RESERVATION#${orderId}`, RESERVATION);

function toStock(item: Item): StockRecord {
  const { productId, available, reserved, updatedAt } = item as unknown as StockRecord;
  return { productId, available, reserved, updatedAt };
}

function toReservation(item: Item): Reservation {
  const { orderId, status, items, shortOf, reason, createdAt, updatedAt } = item as unknown as Reservation;
  return { orderId, status, items, createdAt, updatedAt, ...presentFields({ shortOf, reason }) };
}

/** The Update of one stock change: counters by delta, guarded by the record's existence and the change's conditions. */
function stockUpdate(change: StockChange, at: string): TableWrite {
  const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':at': at };
  const assignments = ['#updatedAt = :at'];
  for (const field of ['available', 'reserved'] as const) {
    if (change[field] === 0) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = change[field];
    assignments.push(`#${field} = #${field} + :${field}`);
  }
  const conditions = [ITEM_EXISTS];
  change.conditions.forEach((condition, i) => {
    names[`#${condition.field}`] = condition.field;
    values[`:c${i}`] = condition.value;
    conditions.push(`#${condition.field} ${condition.op} :c${i}`);
  });
  return {
    Update: {
      Key: stockKey(change.productId),
      UpdateExpression: `SET ${assignments.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

const reservationItem = (reservation: Reservation, events: readonly PendingEvent[]): Item => ({
  ...reservationKey(reservation.orderId), kind: 'reservation', ...reservation, ...relayedEvents(events),
});

/**
 * A transaction's result as a WriteResult: a failed condition names what changed since the read
 * (it wins over a conflict on another item: reading again is what both call for), by position:
 * the reservation (item 0, when `reservationFirst`) or a stock record; else it lost a race.
 */
function writeResult(result: TransactionResult, reservationFirst: boolean): WriteResult {
  if (result.written) return 'written';
  if (result.failed.some(Boolean)) return reservationFirst && result.failed[0] ? 'reservationChanged' : 'stockChanged';
  return 'lostRace';
}

export function dynamoInventoryStore(tableName: string): InventoryStore {
  const table = new DynamoTable(tableName);

  /**
   * Writes a reservation, carrying its events (all of them in one attribute: a 50-line order
   * crossing the low-stock threshold on every line causes 51 events), with its stock changes.
   */
  async function writeReservation(put: TableWrite, reservation: Reservation, changes: readonly StockChange[]): Promise<WriteResult> {
    const writes = [put, ...changes.map((change) => stockUpdate(change, reservation.updatedAt))];
    return writeResult(await table.transact(writes), true);
  }

  return {
    async stock(productId) {
      const item = await table.get(stockKey(productId));
      return item ? toStock(item) : undefined;
    },

    createStock(stock) {
      return table.putIf({ Item: { ...stockKey(stock.productId), kind: 'stock', ...stock }, ConditionExpression: ITEM_ABSENT });
    },

    async changeStock(change, at, event) {
      return writeResult(await table.transact([stockUpdate(change, at)], event), false);
    },

    async reservation(orderId) {
      const item = await table.get(reservationKey(orderId));
      return item ? toReservation(item) : undefined;
    },

    async reservationAndStocks(orderId, productIds) {
      const items = await table.batchGetAll([reservationKey(orderId), ...[...new Set(productIds)].map(stockKey)]);
      const reservation = items.find((item) => item[TABLE_KEYS.sortKey] === RESERVATION);
      return {
        ...(reservation ? { reservation: toReservation(reservation) } : {}),
        stocks: items.filter((item) => item[TABLE_KEYS.sortKey] === STOCK).map(toStock),
      };
    },

    createReservation(reservation, changes, events) {
      return writeReservation(putNew(reservationItem(reservation, events)), reservation, changes);
    },

    settleReservation(reservation, from: ReservationStatus, changes, events) {
      return writeReservation(replaceIfStill(reservationItem(reservation, events), 'status', from), reservation, changes);
    },
  };
}
