import { SagaError } from '../../contracts/saga';
import { SagaTaskError } from '../../shared/saga-error';
import type { Line, StockChange } from './stock';

/**
 * What the saga's stock steps did to an order's units:
 * RESERVED → COMMITTED (sold) → RETURNED (a confirmed order cancelled);
 * RESERVED → RELEASED (payment failed or the order was cancelled before confirmation);
 * REJECTED when there was not enough stock (nothing was held).
 */
export type ReservationStatus = 'RESERVED' | 'REJECTED' | 'RELEASED' | 'COMMITTED' | 'RETURNED';

/** One per order, keyed on the order id: the record that makes every step idempotent. */
export interface Reservation {
  orderId: string;
  status: ReservationStatus;
  /** One line per product (see mergeLines). */
  items: Line[];
  /** REJECTED: the products that lacked stock. */
  shortOf?: string[];
  /** RELEASED: why the units went back on the shelf. */
  reason?: string;
  createdAt: string;
  updatedAt: string;
}

/** The outcome of a step on an order that never had a reservation. */
export const NO_RESERVATION = 'NO_RESERVATION';

/** A step's outcome: the reservation's status once the step is done, whether this call or an earlier one did it. */
export type StepOutcome = ReservationStatus | typeof NO_RESERVATION;

export function outOfStock(reservation: Reservation): SagaTaskError {
  return new SagaTaskError(SagaError.OutOfStock, `Not enough stock for ${(reservation.shortOf ?? []).join(', ')}`);
}

export function lostRace(orderId: string): SagaTaskError {
  return new SagaTaskError(SagaError.Transient, `The stock of order ${orderId} changed concurrently; retry`);
}

/**
 * What reserve answers for an order it has seen before: the first answer again. Every status but
 * REJECTED means the units were reserved once (later steps do not undo that answer).
 */
export function reserveOutcome(reservation: Reservation): 'RESERVED' {
  if (reservation.status === 'REJECTED') throw outOfStock(reservation);
  return 'RESERVED';
}

export type Settlement = 'release' | 'commit' | 'return';

interface SettlementRule {
  /** The only status the settlement applies to; from any other it is a no-op. */
  readonly from: ReservationStatus;
  readonly to: ReservationStatus;
  readonly change: (line: Line) => StockChange;
}

/** How each settlement moves the units of every line; `reserved` is never taken below zero. */
export const SETTLEMENTS: Readonly<Record<Settlement, SettlementRule>> = {
  release: {
    from: 'RESERVED',
    to: 'RELEASED',
    change: ({ productId, quantity }) => ({
      productId, available: quantity, reserved: -quantity, conditions: [{ field: 'reserved', op: '>=', value: quantity }],
    }),
  },
  commit: {
    from: 'RESERVED',
    to: 'COMMITTED',
    change: ({ productId, quantity }) => ({
      productId, available: 0, reserved: -quantity, conditions: [{ field: 'reserved', op: '>=', value: quantity }],
    }),
  },
  return: {
    from: 'COMMITTED',
    to: 'RETURNED',
    change: ({ productId, quantity }) => ({ productId, available: quantity, reserved: 0, conditions: [] }),
  },
};
