import { RefundPaymentInput } from '../../contracts/saga';
import { sagaTask } from '../../shared/saga-task';
import { paymentProvider, paymentStore } from '../composition';
import { refundPayment } from '../domain/payments';

/** Saga task RefundPayment: the compensation of a capture, `refunded: false` when nothing was captured. */
export const handler = sagaTask(RefundPaymentInput, (input) => refundPayment({ store: paymentStore, provider: paymentProvider }, input));
