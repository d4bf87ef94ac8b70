import type * as z from 'zod';
import type { StockRecord } from '../../contracts/api/inventory';
import type { OrderLine } from '../../contracts/events/inventory';
import { NotFoundError } from '../../shared/errors';

export type { StockRecord };
export type Line = z.infer<typeof OrderLine>;

/** Fewer available units than this and a product runs low: the reservation that takes it there emits StockLow. */
export const LOW_STOCK_THRESHOLD = 5;

/** The record a new product starts with: nothing on the shelf yet. */
export function newStock(productId: string, now: string): StockRecord {
  return { productId, available: 0, reserved: 0, updatedAt: now };
}

/** A condition on one counter of a stock record, checked by the write that changes it. */
export interface StockCondition {
  readonly field: 'available' | 'reserved';
  readonly op: '>=' | '<' | '=';
  readonly value: number;
}

/**
 * A change of one product's stock: both counters move by their deltas, in one write, only while
 * the record exists and every condition holds.
 */
export interface StockChange {
  readonly productId: string;
  readonly available: number;
  readonly reserved: number;
  readonly conditions: readonly StockCondition[];
}

/**
 * One line per product, quantities summed: a transaction may touch an item only once, and the
 * stock of a product is checked against everything the order takes of it.
 */
export function mergeLines(lines: readonly Line[]): Line[] {
  const merged = new Map<string, number>();
  for (const { productId, quantity } of lines) merged.set(productId, (merged.get(productId) ?? 0) + quantity);
  return [...merged].map(([productId, quantity]) => ({ productId, quantity }));
}

/**
 * Restock: the counters the change was computed from must still be there when it is written, so
 * the record returned and the `available` of StockReplenished are exactly what was stored.
 */
export function restockChange(stock: StockRecord, quantity: number, now: string): { change: StockChange; after: StockRecord } {
  return {
    change: {
      productId: stock.productId,
      available: quantity,
      reserved: 0,
      conditions: [
        { field: 'available', op: '=', value: stock.available },
        { field: 'reserved', op: '=', value: stock.reserved },
      ],
    },
    after: { ...stock, available: stock.available + quantity, updatedAt: now },
  };
}

export interface LowStock {
  productId: string;
  available: number;
}

export type ReservationPlan =
  | { kind: 'short'; productIds: string[] }
  | { kind: 'reserve'; changes: StockChange[]; low: LowStock[] };

/**
 * All lines or none: any product without a record or without enough available units makes the
 * whole order short. Each line's write is guarded by the weakest condition that keeps the
 * decision taken here true (see reserveLine), so concurrent reservations only invalidate one
 * another when it matters.
 */
export function planReservation(
  lines: readonly Line[],
  stockOf: (productId: string) => StockRecord | undefined,
  threshold: number = LOW_STOCK_THRESHOLD,
): ReservationPlan {
  const short = lines.filter((line) => (stockOf(line.productId)?.available ?? 0) < line.quantity);
  if (short.length > 0) return { kind: 'short', productIds: short.map((line) => line.productId) };
  const planned = lines.map((line) => reserveLine(stockOf(line.productId)!, line.quantity, threshold));
  return {
    kind: 'reserve',
    changes: planned.map((p) => p.change),
    low: planned.flatMap((p) => (p.low ? [p.low] : [])),
  };
}

/**
 * Takes `quantity` units from `available` into `reserved`, never below zero, and tells whether
 * this write is the one that takes the product below the threshold. `seen` may be stale by the
 * time the write lands, so the condition pins the band the decision rests on, not the value:
 * - still at or above the threshold afterwards: `available >= quantity + threshold` (no
 *   crossing whatever the real value is, and other reservations far from the threshold never
 *   conflict with this one);
 * - already below it: `quantity <= available < threshold` (no crossing either);
 * - crossing it: the exact value seen, so StockLow is emitted once per crossing, with the true count.
 */
function reserveLine(seen: StockRecord, quantity: number, threshold: number): { change: StockChange; low?: LowStock } {
  const take = { productId: seen.productId, available: -quantity, reserved: quantity };
  const after = seen.available - quantity;
  if (after >= threshold) {
    return { change: { ...take, conditions: [{ field: 'available', op: '>=', value: quantity + threshold }] } };
  }
  if (seen.available < threshold) {
    return {
      change: {
        ...take,
        conditions: [
          { field: 'available', op: '>=', value: quantity },
          { field: 'available', op: '<', value: threshold },
        ],
      },
    };
  }
  return {
    change: { ...take, conditions: [{ field: 'available', op: '=', value: seen.available }] },
    low: { productId: seen.productId, available: after },
  };
}

export class StockNotFoundError extends NotFoundError {
  constructor() {
    super('No stock record for this product');
  }
}
