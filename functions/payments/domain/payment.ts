import { Payment as PaymentView } from '../../contracts/api/payments';
import type { Caller } from '../../shared/auth/authenticate';
import { NotFoundError } from '../../shared/errors';

export { PaymentView };

/** What the saga asks to charge; the first attempt's values are the ones kept. */
export interface ChargeRequest {
  orderId: string;
  customerId: string;
  amountCents: number;
  currency: string;
}

/**
 * How an attempt ends. FAILED is the one status a later attempt may still change: a payment is
 * FAILED from the moment its first attempt starts until an attempt settles it, so a function that
 * dies mid-attempt leaves exactly what happened (an attempt that did not go through).
 */
export type Settlement =
  | { status: 'CAPTURED'; paymentId: string }
  | { status: 'DECLINED'; declineReason: string }
  | { status: 'FAILED' };

export type Outcome = Settlement | { status: 'REFUNDED'; paymentId: string };

/** One order's payment. */
export type Payment = ChargeRequest & {
  attempts: number;
  createdAt: string;
  updatedAt: string;
} & Outcome;

/** CAPTURED, DECLINED and REFUNDED are final: no charge attempt changes them any more. */
export function isSettled(payment: Outcome): boolean {
  return payment.status !== 'FAILED';
}

/** An order's payment is its customer's business, and an admin's. */
export function visibleTo(payment: Payment, caller: Caller): boolean {
  return caller.role === 'admin' || payment.customerId === caller.userId;
}

/** The API's view, built through its contract so the response cannot drift from the documented shape. */
export function toView(payment: Payment): PaymentView {
  const { orderId, status, amountCents, currency, attempts, updatedAt } = payment;
  return PaymentView.parse({ orderId, status, amountCents, currency, attempts, updatedAt });
}

/** Unknown orders and other customers' orders look the same: a payment's existence is not disclosed. */
export class PaymentNotFoundError extends NotFoundError {
  constructor() {
    super('No payment for this order');
  }
}
