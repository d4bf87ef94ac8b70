import type * as z from 'zod';
import { PaymentCaptured, PaymentDeclined, PaymentRefunded } from '../../contracts/events/payments';
import { SagaError, type ChargePaymentInput, type ChargePaymentResult, type RefundPaymentInput, type RefundPaymentResult } from '../../contracts/saga';
import type { Caller } from '../../shared/auth/authenticate';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { newId, nowIso } from '../../shared/ids';
import { SagaStepError } from '../../shared/saga-error';
import {
  isSettled, PaymentNotFoundError, toView, visibleTo, type ChargeRequest, type Outcome, type Payment, type PaymentView,
  type Settlement,
} from './payment';
import { authorize, type ProviderAnswer } from './provider';

/** The payments table as the domain sees it. */
export interface PaymentStore {
  /** The order's payment, read consistently (charges and refunds decide on it). */
  get(orderId: string): Promise<Payment | undefined>;
  /**
   * Counts one more attempt on a payment that is not settled (creating it, FAILED, on the first)
   * and returns the payment after the change, `attempts` being this attempt's number; undefined
   * when the payment is settled or a concurrent write got in the way, so the caller reads again.
   */
  beginAttempt(request: ChargeRequest, at: string): Promise<Payment | undefined>;
  /**
   * Records how the attempt ended, and its event when there is one, in one transaction, only
   * while the payment is not settled; false when another call settled it first or a concurrent
   * write got in the way.
   */
  settle(orderId: string, settlement: Settlement, at: string, event: PendingEvent | undefined): Promise<boolean>;
  /** CAPTURED → REFUNDED together with the event, only while CAPTURED; false otherwise. */
  refund(orderId: string, at: string, event: PendingEvent): Promise<boolean>;
}

/** Reads and writes before a step gives up on an order hammered by concurrent duplicates. */
export const MAX_ROUNDS = 5;

const contended = () =>
  new SagaStepError(SagaError.Transient, 'The payment was changed by concurrent calls throughout; retry the step');

/** The result of a settled charge, the same for the call that settled it and for every later one. */
function conclude(orderId: string, outcome: Outcome): z.infer<typeof ChargePaymentResult> {
  switch (outcome.status) {
    // A refunded payment was captured once: a late retry of the charge gets that capture again, never a second one.
    case 'CAPTURED':
    case 'REFUNDED':
      return { orderId, paymentId: outcome.paymentId, status: 'CAPTURED' };
    case 'DECLINED':
      throw new SagaStepError(SagaError.PaymentDeclined, `The payment was declined: ${outcome.declineReason}`);
    case 'FAILED':
      throw new SagaStepError(SagaError.PaymentUnavailable, 'The payment provider could not be reached; retry later');
  }
}

function settlementOf(answer: ProviderAnswer): Settlement {
  switch (answer.outcome) {
    case 'approved':
      return { status: 'CAPTURED', paymentId: newId() };
    case 'declined':
      return { status: 'DECLINED', declineReason: answer.reason };
    case 'unavailable':
      return { status: 'FAILED' };
  }
}

function eventOf(payment: Payment, settlement: Settlement, correlationId: string): PendingEvent | undefined {
  const { orderId, amountCents, currency } = payment;
  switch (settlement.status) {
    case 'CAPTURED':
      return domainEvent(PaymentCaptured, { orderId, paymentId: settlement.paymentId, amountCents, currency }, correlationId);
    case 'DECLINED':
      return domainEvent(PaymentDeclined, { orderId, reason: settlement.declineReason }, correlationId);
    case 'FAILED':
      return undefined;
  }
}

/** Writes our settlement; when another call settled the payment first, its outcome wins and ours (with its event) is dropped. */
async function record(store: PaymentStore, orderId: string, settlement: Settlement, event: PendingEvent | undefined): Promise<Outcome> {
  for (let round = 1; round <= MAX_ROUNDS; round += 1) {
    if (await store.settle(orderId, settlement, nowIso(), event)) return settlement;
    const current = await store.get(orderId);
    if (current && isSettled(current)) return current;
    // Lost to a concurrent attempt that did not settle: write the same answer again, never ask the provider twice for it.
  }
  throw contended();
}

/**
 * Charges an order at most once, however often the step is retried or duplicated: a settled
 * payment answers as it did the first time without reaching the provider; otherwise one more
 * attempt is counted before the provider is asked (its answer depends on the attempt), and the
 * answer is recorded only if no other call settled the payment in the meantime.
 */
export async function chargePayment(
  store: PaymentStore,
  input: z.infer<typeof ChargePaymentInput>,
): Promise<z.infer<typeof ChargePaymentResult>> {
  const { orderId, customerId, amountCents, currency, paymentToken, correlationId } = input;
  const request: ChargeRequest = { orderId, customerId, amountCents, currency };
  for (let round = 1; round <= MAX_ROUNDS; round += 1) {
    const current = await store.get(orderId);
    if (current && isSettled(current)) return conclude(orderId, current);
    const attempting = await store.beginAttempt(request, nowIso());
    if (!attempting) continue;
    const settlement = settlementOf(authorize(paymentToken, attempting.attempts));
    // The event states the stored amount: the first attempt's, whatever a retry's input says.
    return conclude(orderId, await record(store, orderId, settlement, eventOf(attempting, settlement, correlationId)));
  }
  throw contended();
}

/**
 * Refunds a captured payment at most once: the status moves from CAPTURED to REFUNDED only under
 * that very condition, in the transaction that records PaymentRefunded. Nothing captured, nothing
 * to refund: `refunded: false`.
 */
export async function refundPayment(
  store: PaymentStore,
  { orderId, correlationId }: z.infer<typeof RefundPaymentInput>,
): Promise<z.infer<typeof RefundPaymentResult>> {
  for (let round = 1; round <= MAX_ROUNDS; round += 1) {
    const payment = await store.get(orderId);
    if (payment?.status === 'REFUNDED') return { orderId, refunded: true };
    if (payment?.status !== 'CAPTURED') return { orderId, refunded: false };
    const { paymentId, amountCents } = payment;
    const event = domainEvent(PaymentRefunded, { orderId, paymentId, amountCents }, correlationId);
    if (await store.refund(orderId, nowIso(), event)) return { orderId, refunded: true };
  }
  throw contended();
}

export async function paymentOf(store: PaymentStore, orderId: string, caller: Caller): Promise<PaymentView> {
  const payment = await store.get(orderId);
  if (!payment || !visibleTo(payment, caller)) throw new PaymentNotFoundError();
  return toView(payment);
}
