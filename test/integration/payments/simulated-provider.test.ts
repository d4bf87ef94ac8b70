import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { PaymentProvider } from '../../../functions/payments/domain/provider';
import { documentClient } from '../../../functions/shared/dynamo/document-client';
import { createLocalDynamoClient, createTestTable, useDynamoEnv } from '../../support/dynamodb';

let provider: PaymentProvider;
let IdempotencyKeyMismatchError: typeof import('../../../functions/payments/adapters/simulated-provider').IdempotencyKeyMismatchError;

beforeAll(async () => {
  useDynamoEnv();
  const tableName = await createTestTable(createLocalDynamoClient(), { prefix: 'provider' });
  const module = await import('../../../functions/payments/adapters/simulated-provider');
  provider = module.simulatedProvider(tableName);
  IdempotencyKeyMismatchError = module.IdempotencyKeyMismatchError;
});

const key = (kind: string) => `${kind}:order-${randomUUID()}`;
const chargeOf = (idempotencyKey: string, overrides: Partial<Parameters<PaymentProvider['charge']>[0]> = {}) =>
  provider.charge({ idempotencyKey, paymentToken: 'tok_visa', amountCents: 2599, currency: 'USD', attempt: 1, ...overrides });

describe('the simulated provider honours idempotency keys', () => {
  it('answers a repeated charge with the first charge, never a second one', async () => {
    const idempotencyKey = key('charge');
    const first = await chargeOf(idempotencyKey);
    expect(first).toEqual({ outcome: 'approved', chargeId: expect.any(String) });
    // A later attempt number does not make it a new charge: the key does.
    expect(await chargeOf(idempotencyKey, { attempt: 2 })).toEqual(first);
    expect(await chargeOf(key('charge'))).not.toEqual(first);
  });

  it("writes a new key's answer in one request, with no failing read of it first (each is a billed write)", async () => {
    const send = vi.spyOn(documentClient(), 'send');
    try {
      const idempotencyKey = key('charge');
      const first = await chargeOf(idempotencyKey);
      expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['PutCommand']);
      send.mockClear();
      expect(await chargeOf(idempotencyKey, { attempt: 2 })).toEqual(first);
      // A repeat (a retry, rare) costs a second request: the Put refused, then the kept answer.
      expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['PutCommand', 'UpdateCommand']);
    } finally {
      send.mockRestore();
    }
  });

  it('answers an attempt that cannot get through with the answer already kept for its key', async () => {
    const idempotencyKey = key('charge');
    const approved = await chargeOf(idempotencyKey, { paymentToken: 'tok_error_once', attempt: 2 });
    expect(approved.outcome).toBe('approved');
    expect(await chargeOf(idempotencyKey, { paymentToken: 'tok_error_once', attempt: 1 })).toEqual(approved);
  });

  it('gives 10 parallel charges with one key one and the same charge', async () => {
    const idempotencyKey = key('charge');
    const answers = await Promise.all(Array.from({ length: 10 }, () => chargeOf(idempotencyKey)));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.outcome).toBe('approved');
  });

  it('keeps a decline, but not an attempt that never got through', async () => {
    const declinedKey = key('charge');
    expect(await chargeOf(declinedKey, { paymentToken: 'tok_decline' })).toEqual({ outcome: 'declined', reason: 'card_declined' });
    expect(await chargeOf(declinedKey, { paymentToken: 'tok_decline', attempt: 2 })).toEqual({ outcome: 'declined', reason: 'card_declined' });

    const flakyKey = key('charge');
    expect(await chargeOf(flakyKey, { paymentToken: 'tok_error_once' })).toEqual({ outcome: 'unavailable' });
    const approved = await chargeOf(flakyKey, { paymentToken: 'tok_error_once', attempt: 2 });
    expect(approved.outcome).toBe('approved');
    expect(await chargeOf(flakyKey, { paymentToken: 'tok_error_once', attempt: 3 })).toEqual(approved);
  });

  it('refuses a key reused for another request (another amount or token): a caller bug, not a second charge', async () => {
    const idempotencyKey = key('charge');
    await chargeOf(idempotencyKey);
    await expect(chargeOf(idempotencyKey, { amountCents: 1 })).rejects.toBeInstanceOf(IdempotencyKeyMismatchError);
    await expect(chargeOf(idempotencyKey, { paymentToken: 'tok_mastercard' })).rejects.toBeInstanceOf(IdempotencyKeyMismatchError);
  });

  it('answers a repeated refund with the first refund', async () => {
    const idempotencyKey = key('refund');
    const first = await provider.refund({ idempotencyKey, chargeId: 'ch-1', amountCents: 2599 });
    expect(first).toEqual({ outcome: 'refunded', refundId: expect.any(String) });
    expect(await provider.refund({ idempotencyKey, chargeId: 'ch-1', amountCents: 2599 })).toEqual(first);
    await expect(provider.refund({ idempotencyKey, chargeId: 'ch-2', amountCents: 2599 })).rejects.toBeInstanceOf(IdempotencyKeyMismatchError);
  });
});
