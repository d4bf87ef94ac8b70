import { OrderTransitionInput } from '../../contracts/saga';
import { sagaStep } from '../../shared/saga-step';
import { orderStore } from '../composition';
import { expectTransition, transitionOrder } from '../domain/saga-steps';

/** RejectOrder: PENDING → REJECTED (out of stock). */
export const handler = sagaStep(OrderTransitionInput, (input) => transitionOrder(orderStore, expectTransition(input, 'REJECTED')));
