import { OrderTransitionInput } from '../../contracts/saga';
import { sagaStep } from '../../shared/saga-step';
import { orderStore } from '../composition';
import { expectTransition, transitionOrder } from '../domain/saga-steps';

/**
 * CancelOrder, the last step of every compensation and of the cancellation saga: PENDING or
 * CONFIRMED → CANCELLED. (cancel-order.ts is the handler of POST /orders/{orderId}/cancel.)
 */
export const handler = sagaStep(OrderTransitionInput, (input) => transitionOrder(orderStore, expectTransition(input, 'CANCELLED')));
