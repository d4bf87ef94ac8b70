import { describe, expect, it, vi } from 'vitest';
import { SagaError } from '../../../functions/contracts/saga';
import type { Payment } from '../../../functions/payments/domain/payment';
import { chargePayment, MAX_ROUNDS, refundPayment, type PaymentStore } from '../../../functions/payments/domain/payments';
import type { PaymentProvider } from '../../../functions/payments/domain/provider';

const at = '2026-01-01T00:00:00.000Z';
const charge = { orderId: 'o-1', correlationId: 'c', customerId: 'u-1', amountCents: 500, currency: 'USD', paymentToken: 'tok_visa' };
const base = { orderId: 'o-1', customerId: 'u-1', amountCents: 500, currency: 'USD', attempts: 1, createdAt: at, updatedAt: at };
const failed: Payment = { ...base, status: 'FAILED' };
const captured: Payment = { ...base, status: 'CAPTURED', paymentId: 'ch-1' };

/** A store whose every conditional write loses to a concurrent call, unless told otherwise. */
function contendedStore(current: Payment | undefined, overrides: Partial<PaymentStore> = {}): PaymentStore {
  return {
    get: vi.fn(async () => current),
    beginAttempt: vi.fn(async () => undefined),
    settle: vi.fn(async () => false),
    refund: vi.fn(async () => false),
    ...overrides,
  };
}

function provider(): PaymentProvider & { charge: ReturnType<typeof vi.fn>; refund: ReturnType<typeof vi.fn> } {
  return {
    charge: vi.fn(async () => ({ outcome: 'approved' as const, chargeId: 'ch-1' })),
    refund: vi.fn(async () => ({ outcome: 'refunded' as const, refundId: 'rf-1' })),
  };
}

describe('payments under contention', () => {
  it(`gives up a charge with ${SagaError.Transient} after ${MAX_ROUNDS} lost rounds, never asking the provider`, async () => {
    const store = contendedStore(failed);
    const card = provider();
    await expect(chargePayment({ store, provider: card }, charge)).rejects.toMatchObject({ name: SagaError.Transient });
    expect(store.beginAttempt).toHaveBeenCalledTimes(MAX_ROUNDS);
    expect(card.charge).not.toHaveBeenCalled();
  });

  it('records a charge again after losing to a call that did not settle, and answers once the write goes through', async () => {
    let settles = 0;
    const store = contendedStore(failed, {
      beginAttempt: vi.fn(async () => failed),
      settle: vi.fn(async () => (settles += 1) > 1),
    });
    const card = provider();
    expect(await chargePayment({ store, provider: card }, charge)).toEqual({ orderId: 'o-1', paymentId: 'ch-1', status: 'CAPTURED' });
    expect(card.charge).toHaveBeenCalledTimes(1);
    expect(settles).toBe(2);
  });

  it(`gives up a refund with ${SagaError.Transient} after ${MAX_ROUNDS} lost rounds, with the same refund key every time`, async () => {
    const store = contendedStore(captured);
    const card = provider();
    await expect(refundPayment({ store, provider: card }, { orderId: 'o-1', correlationId: 'c' })).rejects.toMatchObject({
      name: SagaError.Transient,
    });
    expect(store.refund).toHaveBeenCalledTimes(MAX_ROUNDS);
    expect(new Set(card.refund.mock.calls.map(([request]) => (request as { idempotencyKey: string }).idempotencyKey))).toEqual(
      new Set(['refund:o-1']),
    );
  });
});
