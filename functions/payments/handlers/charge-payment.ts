import { ChargePaymentInput } from '../../contracts/saga';
import { sagaStep } from '../../shared/saga-step';
import { paymentProvider, paymentStore } from '../composition';
import { chargePayment } from '../domain/payments';

/** Saga step ChargePayment: fails with PaymentDeclined (final) or PaymentUnavailable (retried). */
export const handler = sagaStep(ChargePaymentInput, (input) => chargePayment({ store: paymentStore, provider: paymentProvider }, input));
