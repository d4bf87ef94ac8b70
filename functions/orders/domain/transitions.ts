import {
  OrderCancelled, OrderConfirmed, OrderDelivered, OrderRejected, OrderShipped,
} from '../../contracts/events/orders';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { nowIso } from '../../shared/ids';
import { LOST_RACE, retryOnLostRace } from '../../shared/lost-race';
import { decideTransition, type OrderState, type OrderStatus, type OrderTransition } from './order';
import type { OrderStore } from './orders';

/**
 * The one way an existing order changes status, for the saga's steps and the shipment events
 * alike: read the order, decide the move, and append its event (with the domain event it
 * publishes) and the new state in one write conditioned on the version read.
 */
export interface Moved {
  status: OrderStatus;
  /** False when the order already had the status (or had passed it): a retry or a redelivery. */
  changed: boolean;
}

/** Re-reads after losing a race with another write before handing the retry to the caller's runtime. */
export const MAX_TRANSITION_ATTEMPTS = 3;

function eventOf(next: OrderState, transition: OrderTransition, correlationId: string): PendingEvent {
  const { orderId, customerId } = next;
  switch (transition.to) {
    case 'CONFIRMED': {
      const items = next.items.map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents }));
      const { totalCents, currency, shippingAddress } = next;
      return domainEvent(OrderConfirmed, { orderId, customerId, items, totalCents, currency, shippingAddress }, correlationId);
    }
    case 'REJECTED':
      return domainEvent(OrderRejected, { orderId, customerId, reason: transition.reason }, correlationId);
    case 'CANCELLED':
      return domainEvent(OrderCancelled, { orderId, customerId, reason: transition.reason, refunded: transition.refunded }, correlationId);
    case 'SHIPPED': {
      const { carrier, trackingNumber } = transition;
      return domainEvent(OrderShipped, { orderId, customerId, carrier, trackingNumber }, correlationId);
    }
    case 'DELIVERED':
      return domainEvent(OrderDelivered, { orderId, customerId }, correlationId);
  }
}

/**
 * Moves the order, or leaves it as it is when it already made this move. Errors of the decision
 * (an illegal move, a cancellation requested, a delivery before the dispatch) propagate for the
 * caller to map; an unknown order is a fault.
 */
export async function moveOrder(store: OrderStore, orderId: string, transition: OrderTransition, correlationId: string): Promise<Moved> {
  return retryOnLostRace(
    async () => {
      const stored = await store.get(orderId);
      if (!stored) throw new Error(`No order ${orderId}`);
      const decision = decideTransition(stored.state, transition, nowIso());
      if (decision.kind === 'unchanged') return { status: stored.state.status, changed: false };
      const pending = eventOf(decision.state, transition, correlationId);
      const event = { ...decision.change, seq: decision.state.version, eventId: pending.detail.metadata.eventId };
      const guard = { expectedVersion: stored.state.version, unlessCancelRequested: transition.to === 'CONFIRMED' };
      return (await store.append(decision.state, event, pending, guard)) ? { status: decision.state.status, changed: true } : LOST_RACE;
    },
    { attempts: MAX_TRANSITION_ATTEMPTS, exhausted: () => new OrderContendedError(orderId) },
  );
}

/** Every attempt lost to another write of the same order: worth retrying later, not a fault. */
export class OrderContendedError extends Error {
  constructor(readonly orderId: string) {
    super(`Order ${orderId} kept changing under this write; retry it`);
    this.name = 'OrderContendedError';
  }
}
