import { RefundPaymentInput } from '../../contracts/saga';
import { sagaStep } from '../../shared/saga-step';
import { paymentProvider, paymentStore } from '../composition';
import { refundPayment } from '../domain/payments';

/** Saga step RefundPayment: the compensation of a capture, `refunded: false` when nothing was captured. */
export const handler = sagaStep(RefundPaymentInput, (input) => refundPayment({ store: paymentStore, provider: paymentProvider }, input));
