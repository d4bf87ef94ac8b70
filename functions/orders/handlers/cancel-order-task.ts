import { OrderTransitionInput } from '../../contracts/saga';
import { sagaTask } from '../../shared/saga-task';
import { orderStore } from '../composition';
import { expectTransition, transitionOrder } from '../domain/saga-tasks';

/**
 * CancelOrder, the last step of every compensation and of the cancellation saga: PENDING or
 * CONFIRMED → CANCELLED. (cancel-order.ts is the handler of POST /orders/{orderId}/cancel.)
 */
export const handler = sagaTask(OrderTransitionInput, (input) => transitionOrder(orderStore, expectTransition(input, 'CANCELLED')));
