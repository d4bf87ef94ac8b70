import type * as z from 'zod';
import { StockLow, StockReleased, StockReplenished, StockReserved } from '../../contracts/events/inventory';
import { CancellationReason } from '../../contracts/events/orders';
import type { StockStepResult } from '../../contracts/saga';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { ConcurrentUpdateError } from '../../shared/errors';
import { nowIso } from '../../shared/ids';
import { LOST_RACE, retryOnLostRace, type RaceOptions } from '../../shared/lost-race';
import {
  lostRace, NO_RESERVATION, outOfStock, reserveOutcome, SETTLEMENTS, type Reservation, type ReservationStatus, type Settlement,
} from './reservation';
import {
  LOW_STOCK_THRESHOLD, mergeLines, newStock, planReservation, restockChange, StockNotFoundError,
  type Line, type StockChange, type StockRecord,
} from './stock';

/**
 * What a conditional write did: `written`; or nothing, because a condition found the reservation
 * or a stock record changed since it was read, or because DynamoDB cancelled it in favour of a
 * concurrent transaction on the same item (TransactionConflict).
 */
export type WriteResult = 'written' | 'reservationChanged' | 'stockChanged' | 'lostRace';

/** The inventory table as the domain sees it. */
export interface InventoryStore {
  /** A product's stock record, read consistently (it is the base of a conditional write). */
  stock(productId: string): Promise<StockRecord | undefined>;
  /** Stores the record unless the product has one already; false when it had. */
  createStock(stock: StockRecord): Promise<boolean>;
  /** Applies the change (updatedAt = `at`) and records the event at once. */
  changeStock(change: StockChange, at: string, event: PendingEvent): Promise<WriteResult>;
  /** An order's reservation, read consistently. */
  reservation(orderId: string): Promise<Reservation | undefined>;
  /** An order's reservation and the stock records of `productIds` (those that exist), read consistently at once. */
  reservationAndStocks(orderId: string, productIds: readonly string[]): Promise<{ reservation?: Reservation; stocks: StockRecord[] }>;
  /** Stores a reservation for an order that has none, with its stock changes and events, at once. */
  createReservation(reservation: Reservation, changes: readonly StockChange[], events: readonly PendingEvent[]): Promise<WriteResult>;
  /** Replaces the reservation, if its status is still `from`, with its stock changes and events, at once. */
  settleReservation(
    reservation: Reservation,
    from: ReservationStatus,
    changes: readonly StockChange[],
    events: readonly PendingEvent[],
  ): Promise<WriteResult>;
}

export type StepResult = z.infer<typeof StockStepResult>;

/**
 * Reads before a conditional write gives up when other writers keep changing what it read; the
 * conditions make every attempt safe, the bound keeps a hot product from holding a caller forever.
 */
export const MAX_WRITE_ATTEMPTS = 5;

/** A restock that kept losing answers 409, for the admin to try again. */
const stockBusy = () => new ConcurrentUpdateError("The product's stock is being changed by other requests; try again");

/** A saga task that kept losing gives up with the transient error the state machine retries later. */
const sagaRaces = (orderId: string): RaceOptions => ({ attempts: MAX_WRITE_ATTEMPTS, exhausted: () => lostRace(orderId) });

/** From ProductCreated: a product starts with an empty shelf; a redelivery never resets a stocked record. */
export async function createStockRecord(store: InventoryStore, productId: string): Promise<void> {
  await store.createStock(newStock(productId, nowIso()));
}

export async function getStock(store: InventoryStore, productId: string): Promise<StockRecord> {
  const stock = await store.stock(productId);
  if (!stock) throw new StockNotFoundError();
  return stock;
}

export async function restock(store: InventoryStore, productId: string, quantity: number, correlationId: string): Promise<StockRecord> {
  return retryOnLostRace(async () => {
    const { change, after } = restockChange(await getStock(store, productId), quantity, nowIso());
    const event = domainEvent(StockReplenished, { productId, available: after.available }, correlationId);
    return (await store.changeStock(change, after.updatedAt, event)) === 'written' ? after : LOST_RACE;
  }, { attempts: MAX_WRITE_ATTEMPTS, exhausted: stockBusy });
}

export interface ReserveRequest {
  orderId: string;
  items: Line[];
  correlationId: string;
}

/**
 * Reserves every line of an order or none. The order's reservation record makes it idempotent:
 * it is created in the same transaction as the stock changes (or alone, REJECTED, when stock is
 * short), only if the order has none, and any later call answers from it.
 */
export async function reserveStock(store: InventoryStore, { orderId, items, correlationId }: ReserveRequest): Promise<StepResult> {
  const lines = mergeLines(items);
  return retryOnLostRace<StepResult>(async () => {
    // One read for both: the stocks are wasted only on a repeated call, which the reservation answers.
    const { reservation: existing, stocks } = await store.reservationAndStocks(orderId, lines.map((line) => line.productId));
    if (existing) return { orderId, outcome: reserveOutcome(existing) };

    const plan = planReservation(lines, (productId) => stocks.find((stock) => stock.productId === productId));
    const now = nowIso();
    const base = { orderId, items: lines, createdAt: now, updatedAt: now };
    let result: WriteResult;
    if (plan.kind === 'short') {
      const rejected: Reservation = { ...base, status: 'REJECTED', shortOf: plan.productIds };
      result = await store.createReservation(rejected, [], []);
      if (result === 'written') throw outOfStock(rejected);
    } else {
      const events = [
        domainEvent(StockReserved, { orderId, items: lines }, correlationId),
        ...plan.low.map((low) => domainEvent(StockLow, { ...low, threshold: LOW_STOCK_THRESHOLD }, correlationId)),
      ];
      result = await store.createReservation({ ...base, status: 'RESERVED' }, plan.changes, events);
      if (result === 'written') return { orderId, outcome: 'RESERVED' };
    }
    // The state machine retries with backoff; retrying here would only join the same race.
    if (result === 'lostRace') throw lostRace(orderId);
    // Otherwise another call for this order, or another order, wrote since the read: read again.
    return LOST_RACE;
  }, sagaRaces(orderId));
}

/** Puts the reserved units of an order whose payment failed back on the shelf. */
export function releaseStock(store: InventoryStore, orderId: string, reason: string, correlationId: string): Promise<StepResult> {
  return settle(store, orderId, 'release', (reservation) => ({
    reservation: { ...reservation, reason },
    events: [domainEvent(StockReleased, { orderId, items: reservation.items, reason }, correlationId)],
  }));
}

/** The order is paid and about to be confirmed: its reserved units are sold. */
export function commitStock(store: InventoryStore, orderId: string): Promise<StepResult> {
  return settle(store, orderId, 'commit', (reservation) => ({ reservation, events: [] }));
}

/** A paid order was cancelled (before or after its confirmation): its sold units are available again. */
export function returnStock(store: InventoryStore, orderId: string, correlationId: string): Promise<StepResult> {
  const reason = CancellationReason.enum.CUSTOMER_REQUEST;
  return settle(store, orderId, 'return', (reservation) => ({
    reservation,
    events: [domainEvent(StockReleased, { orderId, items: reservation.items, reason }, correlationId)],
  }));
}

/**
 * Moves a reservation on and its units with it, once: the write is conditional on the status it
 * moves from, so of two concurrent or repeated calls one does the work and both answer with the
 * status it left. A reservation in any other status, or none at all, is left alone.
 */
async function settle(
  store: InventoryStore,
  orderId: string,
  settlement: Settlement,
  complete: (next: Reservation) => { reservation: Reservation; events: PendingEvent[] },
): Promise<StepResult> {
  const rule = SETTLEMENTS[settlement];
  return retryOnLostRace<StepResult>(async () => {
    const current = await store.reservation(orderId);
    if (!current) return { orderId, outcome: NO_RESERVATION };
    if (current.status !== rule.from) return { orderId, outcome: current.status };

    const { reservation, events } = complete({ ...current, status: rule.to, updatedAt: nowIso() });
    const result = await store.settleReservation(reservation, rule.from, current.items.map(rule.change), events);
    if (result === 'written') return { orderId, outcome: rule.to };
    if (result === 'lostRace') throw lostRace(orderId);
    if (result === 'stockChanged') {
      // Reserved units are only ever taken by this reservation's own settlement: a fault to look at.
      throw new Error(`The stock records of order ${orderId} do not hold its ${current.status} units`);
    }
    return LOST_RACE;
  }, sagaRaces(orderId));
}
