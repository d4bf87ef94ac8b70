import { OrderTransitionInput } from '../../contracts/saga';
import { sagaStep } from '../../shared/saga-step';
import { orderStore } from '../composition';
import { expectTransition, transitionOrder } from '../domain/saga-steps';

/** ConfirmOrder: PENDING → CONFIRMED, or CancellationRequested when the customer asked to cancel first. */
export const handler = sagaStep(OrderTransitionInput, (input) => transitionOrder(orderStore, expectTransition(input, 'CONFIRMED')));
