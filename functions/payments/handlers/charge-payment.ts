import { ChargePaymentInput } from '../../contracts/saga';
import { sagaTask } from '../../shared/saga-task';
import { paymentProvider, paymentStore } from '../composition';
import { chargePayment } from '../domain/payments';

/** Saga task ChargePayment: fails with PaymentDeclined (final) or PaymentUnavailable (retried). */
export const handler = sagaTask(ChargePaymentInput, (input) => chargePayment({ store: paymentStore, provider: paymentProvider }, input));
