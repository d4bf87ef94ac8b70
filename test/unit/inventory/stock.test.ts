import { describe, expect, it } from 'vitest';
import { StockRecord as StockRecordSchema } from '../../../functions/contracts/api/inventory';
import { SagaError } from '../../../functions/contracts/saga';
import {
  reserveOutcome, SETTLEMENTS, type Reservation, type ReservationStatus,
} from '../../../functions/inventory/domain/reservation';
import {
  LOW_STOCK_THRESHOLD, mergeLines, newStock, planReservation, restockChange, StockNotFoundError,
  type StockChange, type StockCondition, type StockRecord,
} from '../../../functions/inventory/domain/stock';

const now = '2025-01-01T00:00:00.000Z';
const later = '2025-01-02T00:00:00.000Z';
const stock = (productId: string, available: number, reserved = 0): StockRecord => ({ productId, available, reserved, updatedAt: now });
const lookup = (...stocks: StockRecord[]) => (productId: string) => stocks.find((s) => s.productId === productId);

/** What DynamoDB does with a change: apply it to `actual` if the record exists and every condition holds. */
function applyChange(actual: StockRecord | undefined, change: StockChange): StockRecord | undefined {
  if (!actual) return undefined;
  const holds = (c: StockCondition) => {
    const value = actual[c.field];
    return c.op === '>=' ? value >= c.value : c.op === '<' ? value < c.value : value === c.value;
  };
  if (!change.conditions.every(holds)) return undefined;
  return { ...actual, available: actual.available + change.available, reserved: actual.reserved + change.reserved };
}

describe('newStock', () => {
  it('starts with nothing available or reserved, valid against the API contract', () => {
    const record = newStock('p1', now);
    expect(record).toEqual({ productId: 'p1', available: 0, reserved: 0, updatedAt: now });
    expect(StockRecordSchema.parse(record)).toEqual(record);
  });
});

describe('mergeLines', () => {
  it('sums the quantities of a product named twice, keeping first-seen order', () => {
    expect(mergeLines([
      { productId: 'a', quantity: 1 }, { productId: 'b', quantity: 2 }, { productId: 'a', quantity: 3 },
    ])).toEqual([{ productId: 'a', quantity: 4 }, { productId: 'b', quantity: 2 }]);
  });
});

describe('restockChange', () => {
  it('adds the quantity and pins both counters it was computed from', () => {
    const { change, after } = restockChange(stock('p1', 3, 2), 10, later);
    expect(after).toEqual({ productId: 'p1', available: 13, reserved: 2, updatedAt: later });
    expect(applyChange(stock('p1', 3, 2), change)).toMatchObject({ available: 13, reserved: 2 });
    // Any write in between (a reservation, another restock) makes it read again.
    expect(applyChange(stock('p1', 2, 3), change)).toBeUndefined();
    expect(applyChange(stock('p1', 4, 2), change)).toBeUndefined();
    expect(applyChange(undefined, change)).toBeUndefined();
  });
});

describe('planReservation', () => {
  it('reserves every line: available moves to reserved', () => {
    const plan = planReservation(
      [{ productId: 'a', quantity: 2 }, { productId: 'b', quantity: 1 }],
      lookup(stock('a', 20), stock('b', 30)),
    );
    expect(plan.kind).toBe('reserve');
    if (plan.kind !== 'reserve') return;
    expect(plan.changes.map(({ productId, available, reserved }) => ({ productId, available, reserved }))).toEqual([
      { productId: 'a', available: -2, reserved: 2 },
      { productId: 'b', available: -1, reserved: 1 },
    ]);
    expect(plan.low).toEqual([]);
  });

  it('is short when any line lacks stock or has no record, naming those lines and reserving nothing', () => {
    const lines = [{ productId: 'a', quantity: 2 }, { productId: 'b', quantity: 5 }, { productId: 'c', quantity: 1 }];
    expect(planReservation(lines, lookup(stock('a', 20), stock('b', 4)))).toEqual({ kind: 'short', productIds: ['b', 'c'] });
  });

  it('takes a product down to exactly 0', () => {
    const plan = planReservation([{ productId: 'a', quantity: 3 }], lookup(stock('a', 3)));
    expect(plan.kind).toBe('reserve');
  });

  it('reports the crossing below the threshold, with the count after the reservation', () => {
    const plan = planReservation([{ productId: 'a', quantity: 2 }], lookup(stock('a', 6)));
    expect(plan).toMatchObject({ kind: 'reserve', low: [{ productId: 'a', available: 4 }] });
  });

  it('reports no crossing when the product stays at the threshold or was already below it', () => {
    expect(planReservation([{ productId: 'a', quantity: 5 }], lookup(stock('a', 10)))).toMatchObject({ low: [] });
    expect(planReservation([{ productId: 'a', quantity: 1 }], lookup(stock('a', 4)))).toMatchObject({ low: [] });
  });

  /**
   * The read may be stale by the time the write lands. For every value the record may hold then,
   * the write either fails (and the step reads again) or is exactly right: never below zero, and
   * StockLow iff this write takes the product from the threshold or above to below it, with the
   * true count.
   */
  it('stays right whatever the record holds when the write lands', () => {
    const threshold = LOW_STOCK_THRESHOLD;
    let applied = 0;
    for (let seen = 0; seen <= 15; seen += 1) {
      for (let quantity = 1; quantity <= 8; quantity += 1) {
        const plan = planReservation([{ productId: 'a', quantity }], lookup(stock('a', seen, 1)), threshold);
        if (plan.kind === 'short') {
          expect(seen).toBeLessThan(quantity);
          continue;
        }
        for (let actual = 0; actual <= 20; actual += 1) {
          const after = applyChange(stock('a', actual, 1), plan.changes[0]!);
          if (!after) continue;
          applied += 1;
          const label = `seen ${seen}, quantity ${quantity}, actual ${actual}`;
          expect(after.available, label).toBe(actual - quantity);
          expect(after.available, label).toBeGreaterThanOrEqual(0);
          expect(after.reserved, label).toBe(1 + quantity);
          const crossed = actual >= threshold && after.available < threshold;
          expect(plan.low, label).toEqual(crossed ? [{ productId: 'a', available: after.available }] : []);
        }
        // The value that was read always satisfies its own conditions.
        expect(applyChange(stock('a', seen, 1), plan.changes[0]!)).toBeDefined();
      }
    }
    expect(applied).toBeGreaterThan(100);
  });

  it('lets reservations far above the threshold land whatever others did meanwhile', () => {
    const plan = planReservation([{ productId: 'a', quantity: 2 }], lookup(stock('a', 100)));
    if (plan.kind !== 'reserve') throw new Error('expected a reservation');
    for (const actual of [7, 8, 50, 100, 1000]) expect(applyChange(stock('a', actual), plan.changes[0]!)).toBeDefined();
    expect(applyChange(stock('a', 6), plan.changes[0]!)).toBeUndefined();
  });
});

describe('reservation rules', () => {
  const reservation = (status: ReservationStatus): Reservation => ({
    orderId: 'o1', status, items: [{ productId: 'a', quantity: 2 }], createdAt: now, updatedAt: now,
  });

  it('answers a repeated reserve with the first answer: RESERVED, or OutOfStock again', () => {
    for (const status of ['RESERVED', 'RELEASED', 'COMMITTED', 'RETURNED'] as const) {
      expect(reserveOutcome(reservation(status))).toBe('RESERVED');
    }
    expect(() => reserveOutcome({ ...reservation('REJECTED'), shortOf: ['a'] })).toThrow(
      expect.objectContaining({ name: SagaError.OutOfStock, message: expect.stringContaining('a') }),
    );
  });

  it('release returns reserved units to available, never taking reserved below zero', () => {
    const change = SETTLEMENTS.release.change({ productId: 'a', quantity: 2 });
    expect(SETTLEMENTS.release).toMatchObject({ from: 'RESERVED', to: 'RELEASED' });
    expect(applyChange(stock('a', 1, 2), change)).toMatchObject({ available: 3, reserved: 0 });
    expect(applyChange(stock('a', 1, 1), change)).toBeUndefined();
  });

  it('commit sells reserved units: available is unchanged', () => {
    const change = SETTLEMENTS.commit.change({ productId: 'a', quantity: 2 });
    expect(SETTLEMENTS.commit).toMatchObject({ from: 'RESERVED', to: 'COMMITTED' });
    expect(applyChange(stock('a', 1, 5), change)).toMatchObject({ available: 1, reserved: 3 });
    expect(applyChange(stock('a', 1, 1), change)).toBeUndefined();
  });

  it('return puts sold units back on the shelf, from a committed reservation only', () => {
    const change = SETTLEMENTS.return.change({ productId: 'a', quantity: 2 });
    expect(SETTLEMENTS.return).toMatchObject({ from: 'COMMITTED', to: 'RETURNED' });
    expect(applyChange(stock('a', 0, 0), change)).toMatchObject({ available: 2, reserved: 0 });
    expect(applyChange(undefined, change)).toBeUndefined();
  });
});

describe('errors', () => {
  it('map to the statuses of the API', () => {
    expect(new StockNotFoundError()).toMatchObject({ status: 404, code: 'not-found' });
  });
});
