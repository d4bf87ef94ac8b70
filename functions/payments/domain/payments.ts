import type * as z from 'zod';
import { PaymentCaptured, PaymentDeclined, PaymentRefunded } from '../../contracts/events/payments';
import { SagaError, type ChargePaymentInput, type ChargePaymentResult, type RefundPaymentInput, type RefundPaymentResult } from '../../contracts/saga';
import type { Caller } from '../../shared/auth/authenticate';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { nowIso } from '../../shared/ids';
import { LOST_RACE, retryOnLostRace, type RaceOptions } from '../../shared/lost-race';
import { SagaTaskError } from '../../shared/saga-error';
import {
  isSettled, PaymentNotFoundError, toView, visibleTo, type ChargeRequest, type Outcome, type Payment, type PaymentView,
  type Settlement,
} from './payment';
import type { ChargeAnswer, PaymentProvider } from './provider';

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
   * Records how the attempt ended, and its event when there is one, in one atomic write, only
   * while the payment is not settled; false when another call settled it first or a concurrent
   * write got in the way.
   */
  settle(orderId: string, settlement: Settlement, at: string, event: PendingEvent | undefined): Promise<boolean>;
  /** CAPTURED → REFUNDED together with the event, only while CAPTURED; false otherwise. */
  refund(orderId: string, at: string, event: PendingEvent): Promise<boolean>;
}

export interface PaymentDeps {
  store: PaymentStore;
  provider: PaymentProvider;
}

/**
 * The idempotency keys the provider gets: one charge and one refund per order, however often a
 * step runs, so a retry after a lost response is answered by the provider without acting twice.
 */
export const chargeKey = (orderId: string) => `charge:${orderId}`;
export const refundKey = (orderId: string) => `refund:${orderId}`;

/** Reads and writes before a step gives up on an order hammered by concurrent duplicates. */
export const MAX_ROUNDS = 5;

/** A step that lost every round gives up with the transient error the state machine retries later. */
const ROUNDS: RaceOptions = {
  attempts: MAX_ROUNDS,
  exhausted: () => new SagaTaskError(SagaError.Transient, 'The payment was changed by concurrent calls throughout; retry the step'),
};

/** The result of a settled charge, the same for the call that settled it and for every later one. */
function conclude(orderId: string, outcome: Outcome): z.infer<typeof ChargePaymentResult> {
  switch (outcome.status) {
    // A refunded payment was captured once: a late retry of the charge gets that capture again, never a second one.
    case 'CAPTURED':
    case 'REFUNDED':
      return { orderId, paymentId: outcome.paymentId, status: 'CAPTURED' };
    case 'DECLINED':
      throw new SagaTaskError(SagaError.PaymentDeclined, `The payment was declined: ${outcome.declineReason}`);
    case 'FAILED':
      throw new SagaTaskError(SagaError.PaymentUnavailable, 'The payment provider could not be reached; retry later');
  }
}

function settlementOf(answer: ChargeAnswer): Settlement {
  switch (answer.outcome) {
    // The provider's name of the charge: a retry answered from its idempotency record gets the same one.
    case 'approved':
      return { status: 'CAPTURED', paymentId: answer.chargeId };
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
  return retryOnLostRace<Outcome>(async () => {
    if (await store.settle(orderId, settlement, nowIso(), event)) return settlement;
    const current = await store.get(orderId);
    if (current && isSettled(current)) return current;
    // Lost to a concurrent attempt that did not settle: write the same answer again, never ask the provider twice for it.
    return LOST_RACE;
  }, ROUNDS);
}

/**
 * Charges an order at most once, however often the step is retried or duplicated: a settled
 * payment answers as it did the first time without reaching the provider; otherwise one more
 * attempt is counted before the provider is asked (its answer depends on the attempt), and the
 * answer is recorded only if no other call settled the payment in the meantime. The provider gets
 * the order's charge key, so an attempt whose answer we lost (the provider charged, our write
 * failed) is answered by the next one with that same charge, never a second one.
 *
 * The attempt is counted first, without reading the payment: its condition refuses a settled
 * payment, which is then read and answered from. A first charge, by far the most common call,
 * so makes no read.
 */
export async function chargePayment(
  { store, provider }: PaymentDeps,
  input: z.infer<typeof ChargePaymentInput>,
): Promise<z.infer<typeof ChargePaymentResult>> {
  const { orderId, customerId, amountCents, currency, paymentToken, correlationId } = input;
  const request: ChargeRequest = { orderId, customerId, amountCents, currency };
  return retryOnLostRace(async () => {
    const attempting = await store.beginAttempt(request, nowIso());
    if (!attempting) {
      // Settled already (a retried or duplicated step), or a concurrent write got in the way.
      const current = await store.get(orderId);
      return current && isSettled(current) ? conclude(orderId, current) : LOST_RACE;
    }
    const answer = await provider.charge({
      idempotencyKey: chargeKey(orderId), paymentToken, amountCents: attempting.amountCents, currency: attempting.currency,
      attempt: attempting.attempts,
    });
    const settlement = settlementOf(answer);
    // The event states the stored amount: the first attempt's, whatever a retry's input says.
    return conclude(orderId, await record(store, orderId, settlement, eventOf(attempting, settlement, correlationId)));
  }, ROUNDS);
}

/**
 * Refunds a captured payment at most once: the provider gets the order's refund key (a retry is
 * answered with the same refund), and the status moves from CAPTURED to REFUNDED only under that
 * very condition, in the write that records PaymentRefunded. Nothing captured, nothing to
 * refund: `refunded: false`.
 */
export async function refundPayment(
  { store, provider }: PaymentDeps,
  { orderId, correlationId }: z.infer<typeof RefundPaymentInput>,
): Promise<z.infer<typeof RefundPaymentResult>> {
  return retryOnLostRace(async () => {
    const payment = await store.get(orderId);
    if (payment?.status === 'REFUNDED') return { orderId, refunded: true };
    if (payment?.status !== 'CAPTURED') return { orderId, refunded: false };
    const { paymentId, amountCents } = payment;
    const answer = await provider.refund({ idempotencyKey: refundKey(orderId), chargeId: paymentId, amountCents });
    if (answer.outcome === 'unavailable') {
      throw new SagaTaskError(SagaError.PaymentUnavailable, 'The payment provider could not be reached for the refund; retry later');
    }
    const event = domainEvent(PaymentRefunded, { orderId, paymentId, amountCents }, correlationId);
    return (await store.refund(orderId, nowIso(), event)) ? { orderId, refunded: true } : LOST_RACE;
  }, ROUNDS);
}

export async function paymentOf(store: PaymentStore, orderId: string, caller: Caller): Promise<PaymentView> {
  const payment = await store.get(orderId);
  if (!payment || !visibleTo(payment, caller)) throw new PaymentNotFoundError();
  return toView(payment);
}
