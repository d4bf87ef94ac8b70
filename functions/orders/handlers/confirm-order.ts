import { OrderTransitionInput } from '../../contracts/saga';
import { sagaTask } from '../../shared/saga-task';
import { orderStore } from '../composition';
import { expectTransition, transitionOrder } from '../domain/saga-tasks';

/** ConfirmOrder: PENDING → CONFIRMED, or CancellationRequested when the customer asked to cancel first. */
export const handler = sagaTask(OrderTransitionInput, (input) => transitionOrder(orderStore, expectTransition(input, 'CONFIRMED')));
