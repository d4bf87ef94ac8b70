import { OrderSagaInput } from '../../contracts/saga';
import { nowIso } from '../../shared/ids';
import type { OrderState } from './order';
import type { OrderStore, SagaStarter } from './orders';
import { moveOrder } from './transitions';

export interface StartSagaDeps {
  store: OrderStore;
  saga: SagaStarter;
}

/**
 * What the OrderPlaced consumer did: started the saga (or found it started: a redelivery),
 * cancelled an order whose customer asked to cancel before any saga ran, or nothing, because the
 * order has left PENDING (its saga, or such a cancellation, already settled it).
 */
export type SagaStartOutcome = 'started' | 'alreadyStarted' | 'cancelledBeforeStart' | 'settled';

/** The saga's input, rebuilt from the stored order: the payment token never travels on the bus. */
export function sagaInputOf(state: OrderState, paymentToken: string): OrderSagaInput {
  return OrderSagaInput.parse({
    orderId: state.orderId,
    correlationId: state.correlationId,
    customerId: state.customerId,
    items: state.items.map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents })),
    totalCents: state.totalCents,
    currency: state.currency,
    paymentToken,
  });
}

/**
 * Starts the saga of a stored order, from its OrderPlaced event: so an order that was stored
 * always gets its saga, whatever happened to the request that placed it. Exactly once per order:
 * the execution name is the orderId, and a redelivered event finds it taken (or the order
 * settled) and does nothing.
 *
 * The claim settles the race with a cancellation of the PENDING order: whichever is written
 * first wins. A claimed order's saga sees a later cancellation at ConfirmOrder and compensates;
 * an order whose customer asked to cancel before the claim is never claimed, so no saga ever
 * runs for it, and it is cancelled here, with nothing reserved or charged to undo.
 */
export async function startPlacedOrderSaga(deps: StartSagaDeps, orderId: string, correlationId: string): Promise<SagaStartOutcome> {
  const stored = await deps.store.forSagaStart(orderId);
  // The event is written with the order, so the order is there: anything else is a fault.
  if (!stored) throw new Error(`No order ${orderId} for its OrderPlaced event`);
  if (stored.state.status !== 'PENDING') return 'settled';

  const claim = await deps.store.claimSagaStart(orderId, nowIso());
  if (claim === 'notPending') return 'settled';
  if (claim === 'cancelRequested') {
    const moved = await moveOrder(deps.store, orderId, { to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', refunded: false }, correlationId);
    return moved.changed ? 'cancelledBeforeStart' : 'settled';
  }

  if (stored.paymentToken === undefined) throw new Error(`Order ${orderId} has no payment token to start its saga with`);
  return deps.saga.start(orderId, sagaInputOf(stored.state, stored.paymentToken));
}
