/**
 * The payment provider port, and the behaviour of the simulated one. Every charge and refund
 * carries an idempotency key, derived from the order: a real provider (Stripe, Adyen, …) answers
 * a request repeated with the same key with the first one's answer and never charges or refunds
 * twice, so a retry after a lost response (the provider acted, we never recorded it) is safe.
 */
export type DeclineReason = 'card_declined' | 'insufficient_funds' | 'unknown_payment_token';

export interface ProviderCharge {
  idempotencyKey: string;
  paymentToken: string;
  amountCents: number;
  currency: string;
  /** Our attempt number (1 for an order's first), which the simulated provider's answer depends on. */
  attempt: number;
}

export interface ProviderRefund {
  idempotencyKey: string;
  /** The charge to refund, as the provider named it. */
  chargeId: string;
  amountCents: number;
}

export type ChargeAnswer =
  | { readonly outcome: 'approved'; readonly chargeId: string }
  | { readonly outcome: 'declined'; readonly reason: DeclineReason }
  /** The provider could not answer (timeout, outage): nothing was charged, a later attempt may succeed. */
  | { readonly outcome: 'unavailable' };

export type RefundAnswer = { readonly outcome: 'refunded'; readonly refundId: string } | { readonly outcome: 'unavailable' };

export interface PaymentProvider {
  charge(request: ProviderCharge): Promise<ChargeAnswer>;
  refund(request: ProviderRefund): Promise<RefundAnswer>;
}

/**
 * The simulated provider's verdict on a new charge: it depends only on the payment token and the
 * attempt number, so a whole order flow is deterministic and every behaviour can be selected
 * from the outside through `paymentToken`.
 */
export type ProviderAnswer = { readonly outcome: 'approved' } | Exclude<ChargeAnswer, { outcome: 'approved' }>;

const approved: ProviderAnswer = { outcome: 'approved' };
const unavailable: ProviderAnswer = { outcome: 'unavailable' };
const declined = (reason: DeclineReason): ProviderAnswer => ({ outcome: 'declined', reason });

// A Map, not an object literal: a token such as `constructor` must not find a prototype member.
const TOKENS = new Map<string, (attempt: number) => ProviderAnswer>([
  ['tok_visa', () => approved],
  ['tok_mastercard', () => approved],
  ['tok_decline', () => declined('card_declined')],
  ['tok_insufficient_funds', () => declined('insufficient_funds')],
  ['tok_error_once', (attempt) => (attempt === 1 ? unavailable : approved)],
  ['tok_unavailable', () => unavailable],
]);

/** The tokens with a documented behaviour; any other token is declined. */
export const KNOWN_TOKENS: readonly string[] = [...TOKENS.keys()];

export function authorize(paymentToken: string, attempt: number): ProviderAnswer {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`Attempts count from 1, got ${attempt}`);
  const behaviour = TOKENS.get(paymentToken);
  return behaviour ? behaviour(attempt) : declined('unknown_payment_token');
}
