import type { Currency } from '../../contracts/api/common';
import type { Order, OrderStatus, PlaceOrderRequest, StatusReason } from '../../contracts/api/orders';
import type {
  OrderCancelled, OrderConfirmed, OrderDelivered, OrderPlaced, OrderRejected, OrderShipped,
} from '../../contracts/events/orders';
import type { OrderTransitionInput } from '../../contracts/saga';
import { ConflictError, NotFoundError } from '../../shared/errors';
import type { PlacedDetails } from './replay';

export type { Order, OrderStatus };
export type ShippingAddress = PlaceOrderRequest['shippingAddress'];

export interface OrderLine {
  productId: string;
  name: string;
  quantity: number;
  unitPriceCents: number;
}

/** What an order is now: derived from its events, kept whole so a read needs no replay. */
export interface OrderState {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  statusReason?: StatusReason;
  items: OrderLine[];
  totalCents: number;
  currency: Currency;
  shippingAddress: ShippingAddress;
  createdAt: string;
  updatedAt: string;
  /** The number of events the order has: the base of every optimistic write. */
  version: number;
  /** The correlation id of the request that placed it, carried into its saga. */
  correlationId: string;
  /** The customer asked to cancel while the order was PENDING: the saga compensates instead of confirming. */
  cancelRequested?: boolean;
  /** A compensation kept failing: an operator must look at this order. */
  needsOperator?: boolean;
}

export type OrderEventType =
  | (typeof OrderPlaced)['detailType']
  | (typeof OrderConfirmed)['detailType']
  | (typeof OrderRejected)['detailType']
  | (typeof OrderCancelled)['detailType']
  | (typeof OrderShipped)['detailType']
  | (typeof OrderDelivered)['detailType'];

/** One entry of the order's append-only event list; `seq` counts from 1 and equals the version it made. */
export interface OrderEvent {
  seq: number;
  type: OrderEventType;
  status: OrderStatus;
  reason?: StatusReason;
  refunded?: boolean;
  /** Who carries a SHIPPED order, as shipping's dispatch named it. */
  carrier?: string;
  trackingNumber?: string;
  at: string;
  /** The id of the domain event published for it. */
  eventId: string;
  /** OrderPlaced only: the order as placed (see replay.ts). */
  placed?: PlacedDetails;
}

/** The moves the saga makes. */
export type SagaTransition = DistributiveOmit<OrderTransitionInput, 'orderId' | 'correlationId'>;
/** The moves that follow the shipment, from shipping's ShipmentDispatched and ShipmentDelivered. */
export type ShipmentTransition = { to: 'SHIPPED'; carrier: string; trackingNumber: string } | { to: 'DELIVERED' };
export type OrderTransition = SagaTransition | ShipmentTransition;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The lifecycle: every status an order may move to from each status. */
const NEXT_STATUSES: Record<OrderStatus, readonly OrderStatus[]> = {
  PENDING: ['CONFIRMED', 'REJECTED', 'CANCELLED'],
  CONFIRMED: ['SHIPPED', 'CANCELLED'],
  SHIPPED: ['DELIVERED'],
  DELIVERED: [],
  REJECTED: [],
  CANCELLED: [],
};

export function canMove(from: OrderStatus, transition: OrderTransition): boolean {
  if (!NEXT_STATUSES[from].includes(transition.to)) return false;
  // Only the customer cancels a confirmed order; payment failures can only cancel a pending one.
  if (from === 'CONFIRMED' && transition.to === 'CANCELLED') return transition.reason === 'CUSTOMER_REQUEST';
  return true;
}

export type TransitionDecision =
  | { kind: 'unchanged' }
  | { kind: 'moved'; state: OrderState; change: Omit<OrderEvent, 'seq' | 'eventId'> };

const EVENT_OF: Record<OrderTransition['to'], OrderEventType> = {
  CONFIRMED: 'OrderConfirmed',
  REJECTED: 'OrderRejected',
  CANCELLED: 'OrderCancelled',
  SHIPPED: 'OrderShipped',
  DELIVERED: 'OrderDelivered',
};

/**
 * The next state of an order for a transition. Moving to the status the order already has is no
 * change at all, so a retried step or a redelivered event is harmless; so is a dispatch that
 * finds the order already DELIVERED (the dispatch was applied before the delivery, long ago).
 * A delivery that finds the order still CONFIRMED overtook its dispatch: it fails, to be retried.
 */
export function decideTransition(state: OrderState, transition: OrderTransition, at: string): TransitionDecision {
  if (state.status === transition.to) return { kind: 'unchanged' };
  if (transition.to === 'SHIPPED' && state.status === 'DELIVERED') return { kind: 'unchanged' };
  if (transition.to === 'DELIVERED' && state.status === 'CONFIRMED') throw new DeliveryBeforeDispatchError();
  if (!canMove(state.status, transition)) throw new IllegalTransitionError(state.status, transition.to);
  if (transition.to === 'CONFIRMED' && state.cancelRequested) throw new CancellationRequestedError();
  const reason = transition.to === 'REJECTED' || transition.to === 'CANCELLED' ? transition.reason : undefined;
  const refunded = transition.to === 'CANCELLED' ? transition.refunded : undefined;
  const carriage = transition.to === 'SHIPPED' ? { carrier: transition.carrier, trackingNumber: transition.trackingNumber } : {};
  return {
    kind: 'moved',
    state: {
      ...state,
      status: transition.to,
      ...(reason === undefined ? {} : { statusReason: reason }),
      updatedAt: at,
      version: state.version + 1,
    },
    change: {
      type: EVENT_OF[transition.to],
      status: transition.to,
      ...(reason === undefined ? {} : { reason }),
      ...(refunded === undefined ? {} : { refunded }),
      ...carriage,
      at,
    },
  };
}

export type CancellationPath = 'requestFromSaga' | 'startCancellationSaga';

/**
 * How a customer's cancellation proceeds: a PENDING order's saga is still running and is asked to
 * compensate; a CONFIRMED order gets a saga of its own (refund, return the stock); later is too late.
 */
export function cancellationPath(state: OrderState): CancellationPath {
  if (state.status === 'PENDING') return 'requestFromSaga';
  if (state.status === 'CONFIRMED') return 'startCancellationSaga';
  throw new OrderNotCancellableError(state.status);
}

/** The history clients see: one entry per event, oldest first. */
export function historyOf(events: readonly OrderEvent[]): Order['history'] {
  return [...events]
    .sort((a, b) => a.seq - b.seq)
    .map(({ status, reason, at }) => ({ status, ...(reason === undefined ? {} : { reason }), at }));
}

export function toOrderView(state: OrderState, events: readonly OrderEvent[]): Order {
  const { orderId, customerId, status, statusReason, items, totalCents, currency, shippingAddress, createdAt, updatedAt } = state;
  return {
    orderId,
    customerId,
    status,
    ...(statusReason === undefined ? {} : { statusReason }),
    items: items.map(({ productId, name, quantity, unitPriceCents }) => ({ productId, name, quantity, unitPriceCents })),
    totalCents,
    currency,
    shippingAddress,
    createdAt,
    updatedAt,
    history: historyOf(events),
  };
}

/** Customers see their own orders only; anyone else's order is as unknown as a missing one. */
export function canSee(state: OrderState, caller: { userId: string; role: string }): boolean {
  return caller.role === 'admin' || state.customerId === caller.userId;
}

export class OrderNotFoundError extends NotFoundError {
  constructor() {
    super('No order with this id');
  }
}

export class OrderNotCancellableError extends ConflictError {
  override readonly code = 'order-not-cancellable';
  constructor(status: OrderStatus) {
    super(`A ${status} order cannot be cancelled`);
  }
}

/** The CONFIRMED order's shipment has left (the order may not have heard of it yet): too late to cancel. */
export class ShipmentAlreadyLeftError extends ConflictError {
  override readonly code = 'order-not-cancellable';
  constructor(shipmentStatus: string) {
    super(`The order's shipment is ${shipmentStatus}: the order can no longer be cancelled`);
  }
}

/** A saga asked for a move the lifecycle forbids: a fault to look at, never a silent success. */
export class IllegalTransitionError extends Error {
  constructor(from: OrderStatus, to: OrderStatus) {
    super(`An order cannot move from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * ShipmentDelivered reached an order whose ShipmentDispatched has not been applied yet (events
 * may arrive out of order). Not a fault and not a no-op: the event fails, Lambda redelivers it,
 * and by then the dispatch has normally been applied.
 */
export class DeliveryBeforeDispatchError extends Error {
  constructor() {
    super('The order is not SHIPPED yet: its ShipmentDispatched has not been applied; retry the delivery later');
    this.name = 'DeliveryBeforeDispatchError';
  }
}

/** The customer asked to cancel before the order was confirmed. */
export class CancellationRequestedError extends Error {
  constructor() {
    super('The customer asked to cancel this order');
    this.name = 'CancellationRequestedError';
  }
}
