import { OrderTransitionInput } from '../../contracts/saga';
import { sagaTask } from '../../shared/saga-task';
import { orderStore } from '../composition';
import { expectTransition, transitionOrder } from '../domain/saga-tasks';

/** RejectOrder: PENDING → REJECTED (out of stock). */
export const handler = sagaTask(OrderTransitionInput, (input) => transitionOrder(orderStore, expectTransition(input, 'REJECTED')));
