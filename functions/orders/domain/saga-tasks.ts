import { SagaError, type FailedStep, type OrderTransitionInput } from '../../contracts/saga';
import { nowIso } from '../../shared/ids';
import { SagaTaskError } from '../../shared/saga-error';
import { CancellationRequestedError, type OrderStatus } from './order';
import type { OrderStore } from './orders';
import { moveOrder, OrderContendedError } from './transitions';

export { MAX_TRANSITION_ATTEMPTS } from './transitions';

/**
 * The orders context's own saga tasks. Each is idempotent: a transition to the status the order
 * already has returns success and writes nothing, so Step Functions may retry any of them.
 */
export interface TransitionResult {
  orderId: string;
  status: OrderStatus;
  /** False when the order already had the status: a retried task. */
  changed: boolean;
}

/** A task function receives the transition input of its own state only; anything else is a wiring fault. */
export function expectTransition<To extends OrderTransitionInput['to']>(
  input: OrderTransitionInput, to: To,
): Extract<OrderTransitionInput, { to: To }> {
  if (input.to !== to) throw new Error(`This task moves orders to ${to}, not to ${input.to}`);
  return input as Extract<OrderTransitionInput, { to: To }>;
}

/**
 * Moves the order as the saga asks (see moveOrder). Confirming an order whose customer asked to
 * cancel fails with CancellationRequested, which the saga catches to compensate; losing every
 * attempt to concurrent writes fails with TransientError, which the state machine retries.
 */
export async function transitionOrder(store: OrderStore, input: OrderTransitionInput): Promise<TransitionResult> {
  const { orderId, correlationId, ...transition } = input;
  try {
    return { orderId, ...(await moveOrder(store, orderId, transition, correlationId)) };
  } catch (error) {
    if (error instanceof CancellationRequestedError) throw new SagaTaskError(SagaError.CancellationRequested, error.message);
    if (error instanceof OrderContendedError) throw new SagaTaskError(SagaError.Transient, `Order ${orderId} kept changing under this task; retry it`);
    throw error;
  }
}

export interface FlagResult {
  orderId: string;
  /** False when the order was already flagged: a retried task. */
  newlyFlagged: boolean;
}

/** Hands the order to an operator, keeping the first failure that did so (and the step, which `ops orders retry` runs again). */
export async function flagOrder(
  store: OrderStore, input: { orderId: string; error?: string; cause?: string; failedStep?: FailedStep },
): Promise<FlagResult> {
  const { error, cause, failedStep } = input;
  const outcome = await store.flag(input.orderId, { error, cause, failedStep, at: nowIso() });
  if (outcome === 'missing') throw new Error(`No order ${input.orderId}`);
  return { orderId: input.orderId, newlyFlagged: outcome === 'flagged' };
}
