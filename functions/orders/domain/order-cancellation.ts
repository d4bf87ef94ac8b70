/**
 * The customer's cancellation of an order, apart from the changes in orders.ts, which import the
 * events and saga inputs they publish and start: POST /orders/{orderId}/cancel builds none of
 * those schemas at its cold start (its saga input is typed, not parsed: the saga's tasks parse
 * it), as order-reads.ts does for the reads.
 */
import type * as z from 'zod';
import type { OrderCancellationInput } from '../../contracts/saga';
import type { ClaimShipmentInput, ClaimShipmentResult } from '../../contracts/shipment-claim';
import type { Caller } from '../../shared/auth/authenticate';
import { ConcurrentUpdateError } from '../../shared/errors';
import { nowIso } from '../../shared/ids';
import { LOST_RACE, retryOnLostRace } from '../../shared/lost-race';
import { cancellationPath, canSee, OrderNotFoundError, ShipmentAlreadyLeftError, toOrderView, type Order } from './order';
import type { OrderStore, SagaStarter } from './orders';

/** Shipping's claim of a CONFIRMED order's shipment for its cancellation (see contracts/shipment-claim.ts). */
export interface ShipmentClaimer {
  claim(input: ClaimShipmentInput): Promise<ClaimShipmentResult>;
}

export interface CancelOrderDeps {
  store: OrderStore;
  cancellationSaga: SagaStarter;
  shipping: ShipmentClaimer;
}

/** Re-reads of an order that changed status between the read and the conditional write. */
export const MAX_CANCEL_ATTEMPTS = 3;

/**
 * A PENDING order records the request and its running saga compensates at ConfirmOrder (it has
 * no shipment); when no saga has started yet, none will, and the consumer of OrderPlaced cancels
 * the order instead (see saga-start.ts). A CONFIRMED order's shipment is claimed first,
 * synchronously: once it has been dispatched the cancel is refused (409) with nothing changed,
 * even before the order has heard of the dispatch; otherwise it can no longer be dispatched, and the cancellation saga refunds,
 * returns the stock and cancels the order (execution name `cancel-<orderId>`, so a repeated
 * cancel, whose claim finds the shipment CANCELLED already, starts nothing new; a request that
 * failed between the claim and the start heals when the client retries it). An order confirmed
 * between the read and the write is read again and takes the CONFIRMED path.
 */
export async function cancelOrder(deps: CancelOrderDeps, orderId: string, caller: Caller, correlationId: string): Promise<Order> {
  // A request that loses to a saga task (the order moved on, or a transaction held it) reads again.
  return retryOnLostRace(
    async () => {
      const stored = await deps.store.get(orderId);
      if (!stored || !canSee(stored.state, caller)) throw new OrderNotFoundError();
      if (cancellationPath(stored.state) === 'startCancellationSaga') {
        const { claimed, status } = await deps.shipping.claim({ orderId, customerId: stored.state.customerId, correlationId });
        if (!claimed) throw new ShipmentAlreadyLeftError(status);
        const input: z.infer<typeof OrderCancellationInput> = { orderId, correlationId };
        await deps.cancellationSaga.start(`cancel-${orderId}`, input);
        return toOrderView(stored.state, stored.events);
      }
      return (await deps.store.requestCancellation(orderId, nowIso())) ? toOrderView(stored.state, stored.events) : LOST_RACE;
    },
    { attempts: MAX_CANCEL_ATTEMPTS, exhausted: () => new ConcurrentUpdateError('The order is being changed by another request; try again') },
  );
}
