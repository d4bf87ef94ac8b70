import { OrderCancelled, OrderConfirmed, OrderRejected } from '../../contracts/events/orders';
import { SagaError, type OrderTransitionInput } from '../../contracts/saga';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { nowIso } from '../../shared/ids';
import { SagaStepError } from '../../shared/saga-error';
import { CancellationRequestedError, decideTransition, type OrderState, type OrderStatus, type OrderTransition } from './order';
import type { OrderStore } from './orders';

/**
 * The orders context's own saga steps. Each is idempotent: a transition to the status the order
 * already has returns success and writes nothing, so Step Functions may retry any of them.
 */
export interface TransitionResult {
  orderId: string;
  status: OrderStatus;
  /** False when the order already had the status: a retried step. */
  changed: boolean;
}

/** Re-reads after losing a race with another write before handing the retry to the state machine. */
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
  }
}

/** A step function receives the transition input of its own step only; anything else is a wiring fault. */
export function expectTransition<To extends OrderTransitionInput['to']>(
  input: OrderTransitionInput, to: To,
): Extract<OrderTransitionInput, { to: To }> {
  if (input.to !== to) throw new Error(`This step moves orders to ${to}, not to ${input.to}`);
  return input as Extract<OrderTransitionInput, { to: To }>;
}

/**
 * Moves the order as the saga asks, appending the event and its outbox record in one write
 * conditioned on the version read. Confirming an order whose customer asked to cancel fails with
 * CancellationRequested, which the saga catches to compensate.
 */
export async function transitionOrder(store: OrderStore, input: OrderTransitionInput): Promise<TransitionResult> {
  const { orderId, correlationId, ...transition } = input;
  for (let attempt = 1; attempt <= MAX_TRANSITION_ATTEMPTS; attempt += 1) {
    const stored = await store.get(orderId);
    if (!stored) throw new Error(`No order ${orderId}`);
    let decision: ReturnType<typeof decideTransition>;
    try {
      decision = decideTransition(stored.state, transition, nowIso());
    } catch (error) {
      if (error instanceof CancellationRequestedError) throw new SagaStepError(SagaError.CancellationRequested, error.message);
      throw error;
    }
    if (decision.kind === 'unchanged') return { orderId, status: stored.state.status, changed: false };
    const pending = eventOf(decision.state, transition, correlationId);
    const event = { ...decision.change, seq: decision.state.version, eventId: pending.detail.metadata.eventId };
    const guard = { expectedVersion: stored.state.version, unlessCancelRequested: transition.to === 'CONFIRMED' };
    if (await store.append(decision.state, event, pending, guard)) return { orderId, status: decision.state.status, changed: true };
  }
  throw new SagaStepError(SagaError.Transient, `Order ${orderId} kept changing under this step; retry it`);
}

export interface FlagResult {
  orderId: string;
  /** False when the order was already flagged: a retried step. */
  newlyFlagged: boolean;
}

/** Hands the order to an operator, keeping the first failure that did so. */
export async function flagOrder(
  store: OrderStore, input: { orderId: string; error?: string; cause?: string },
): Promise<FlagResult> {
  const outcome = await store.flag(input.orderId, { error: input.error, cause: input.cause, at: nowIso() });
  if (outcome === 'missing') throw new Error(`No order ${input.orderId}`);
  return { orderId: input.orderId, newlyFlagged: outcome === 'flagged' };
}
