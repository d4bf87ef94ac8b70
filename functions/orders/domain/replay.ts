import type { OrderEvent, OrderState } from './order';

/**
 * An order made again from its events (event sourcing's fold), for the snapshots the event store
 * keeps and for the rebuild of the orders view (`ops rebuild orders`).
 */

/**
 * What an order is as far as its events tell: everything but the flags set beside the event
 * stream (a cancellation requested while PENDING, the operator flag), which are no events.
 */
export type OrderSnapshot = Omit<OrderState, 'cancelRequested' | 'needsOperator'>;

/** What OrderPlaced records beyond its status: the order as placed, so that the events alone make the order again. */
export type PlacedDetails = Pick<OrderState, 'customerId' | 'items' | 'totalCents' | 'currency' | 'shippingAddress' | 'createdAt' | 'correlationId'>;

export function placedDetails({ customerId, items, totalCents, currency, shippingAddress, createdAt, correlationId }: PlacedDetails): PlacedDetails {
  return { customerId, items, totalCents, currency, shippingAddress, createdAt, correlationId };
}

/** The part of the order a snapshot keeps. */
export function snapshotOf(state: OrderState): OrderSnapshot {
  const { cancelRequested: _cancel, needsOperator: _flag, ...snapshot } = state;
  return snapshot;
}

/** Every `every`-th event's write also writes the snapshot of the order it makes. */
export function snapshotDue(seq: number, every: number): boolean {
  return seq % every === 0;
}

/**
 * The order after `event`, as decideTransition moved it: OrderPlaced makes the order, every later
 * event sets its status, reason (kept when the event has none) and time. `placed` stands in for an
 * OrderPlaced written before the event carried the order (read from the order's view).
 */
export function applyEvent(orderId: string, state: OrderSnapshot | undefined, event: OrderEvent, placed?: PlacedDetails): OrderSnapshot {
  if (state === undefined) {
    const details = event.placed ?? placed;
    if (event.seq !== 1 || details === undefined) throw new UnreplayableOrderError(orderId, event.seq);
    return { orderId, ...placedDetails(details), status: event.status, updatedAt: event.at, version: 1 };
  }
  if (event.seq !== state.version + 1) throw new Error(`Order ${orderId}: event ${event.seq} does not follow version ${state.version}`);
  const reason = event.reason ?? state.statusReason;
  return { ...state, status: event.status, ...(reason === undefined ? {} : { statusReason: reason }), updatedAt: event.at, version: event.seq };
}

/** The order `events` (oldest first) make from `from` (a snapshot, or nothing before the first event). */
export function replayOrder(orderId: string, from: OrderSnapshot | undefined, events: readonly OrderEvent[], placed?: PlacedDetails): OrderSnapshot | undefined {
  return events.reduce<OrderSnapshot | undefined>((state, event) => applyEvent(orderId, state, event, placed), from);
}

/** The events cannot make the order: its OrderPlaced does not carry it (written before it did), or the first event is missing. */
export class UnreplayableOrderError extends Error {
  constructor(readonly orderId: string, seq: number) {
    super(`Order ${orderId}: its events start at ${seq} without the order as placed: its view cannot be made from them`);
    this.name = 'UnreplayableOrderError';
  }
}
