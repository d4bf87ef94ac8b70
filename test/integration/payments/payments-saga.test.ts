import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Payment } from '../../../functions/contracts/api/payments';
import { PaymentCaptured, PaymentDeclined, PaymentRefunded } from '../../../functions/contracts/events/payments';
import { SagaError } from '../../../functions/contracts/saga';
import { documentClient } from '../../../functions/shared/dynamo/document-client';
import { bearer, useHandlerEnvironment } from '../../support/handler-env';
import { call, lambdaContext } from '../../support/http';
import { relayedEvents } from '../shared/relayed-events';

type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;
let env: Env;
type TaskHandler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let handlers: { charge: TaskHandler; refund: TaskHandler; get: Parameters<typeof call>[0] };

beforeAll(async () => {
  env = await useHandlerEnvironment('payments');
  handlers = {
    charge: (await import('../../../functions/payments/handlers/charge-payment')).handler,
    refund: (await import('../../../functions/payments/handlers/refund-payment')).handler,
    get: (await import('../../../functions/payments/handlers/get-payment')).handler,
  };
});

const admin = bearer('01ADMIN0000000000000000000', 'admin');
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

interface ChargeInput {
  orderId: string;
  correlationId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  paymentToken: string;
}

const chargeInput = (overrides: Partial<ChargeInput> = {}): ChargeInput => ({
  orderId: `order-${randomUUID()}`,
  correlationId: `corr-${randomUUID()}`,
  customerId: `customer-${randomUUID()}`,
  amountCents: 2599,
  currency: 'USD',
  paymentToken: 'tok_visa',
  ...overrides,
});

const charge = (input: ChargeInput) => handlers.charge(input, lambdaContext());
const refund = (orderId: string, correlationId = `corr-${randomUUID()}`) =>
  handlers.refund({ orderId, correlationId }, lambdaContext());

/** The payment as the API shows it to an admin: the record's status and attempts. */
async function paymentOf(orderId: string): Promise<Payment | undefined> {
  const response = await call<Payment>(handlers.get, {
    method: 'GET', resource: '/payments/{orderId}', path: `/payments/${orderId}`, pathParameters: { orderId }, headers: admin,
  });
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return response.body;
}

interface OutboxEvent {
  detailType: string;
  raw: unknown;
  data: Record<string, unknown>;
}

/** The events the payments relay publishes for one order (each publication once), from the table's stream. */
async function eventsOf(orderId: string, detailType?: string): Promise<OutboxEvent[]> {
  return (await relayedEvents(env.tableName))
    .map((entry) => {
      const raw = JSON.parse(entry.detail) as { data: Record<string, unknown> };
      return { detailType: entry.detailType, raw, data: raw.data };
    })
    .filter((event) => event.data.orderId === orderId && (detailType === undefined || event.detailType === detailType));
}

const rejection = (name: string) => expect.objectContaining({ name });

describe('ChargePayment', () => {
  it.each(['tok_visa', 'tok_mastercard'])('captures with %s: result, record and one PaymentCaptured', async (paymentToken) => {
    const input = chargeInput({ paymentToken });
    const result = await charge(input);
    expect(result).toEqual({ orderId: input.orderId, paymentId: expect.stringMatching(ULID), status: 'CAPTURED' });
    const { paymentId } = result as { paymentId: string };

    expect(await paymentOf(input.orderId)).toEqual({
      orderId: input.orderId, status: 'CAPTURED', amountCents: 2599, currency: 'USD', attempts: 1, updatedAt: expect.any(String),
    });
    const events = await eventsOf(input.orderId);
    expect(events.map((e) => e.detailType)).toEqual([PaymentCaptured.detailType]);
    const detail = PaymentCaptured.detail.parse(events[0]!.raw);
    expect(detail.data).toEqual({ orderId: input.orderId, paymentId, amountCents: 2599, currency: 'USD' });
    expect(detail.metadata.correlationId).toBe(input.correlationId);
  });

  it('a first charge counts its attempt without reading the payment first; a repeated one reads it and answers as before', async () => {
    const input = chargeInput();
    const send = vi.spyOn(documentClient(), 'send');
    const sent = () => send.mock.calls.map(([command]) => command.constructor.name);
    try {
      const first = await charge(input);
      // The attempt, the provider's kept answer, the settlement carrying its event (no transaction).
      expect(sent()).toEqual(['UpdateCommand', 'PutCommand', 'UpdateCommand']);
      send.mockClear();
      expect(await charge(input)).toEqual(first);
      // The attempt is refused (settled), the payment read and answered from: no provider, no write.
      expect(sent()).toEqual(['UpdateCommand', 'GetCommand']);
    } finally {
      send.mockRestore();
    }
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'CAPTURED', attempts: 1 });
    expect((await eventsOf(input.orderId)).map((e) => e.detailType)).toEqual([PaymentCaptured.detailType]);
  });

  it.each([
    ['tok_decline', 'card_declined'],
    ['tok_insufficient_funds', 'insufficient_funds'],
    ['tok_amex', 'unknown_payment_token'],
  ])('declines %s: fails with PaymentDeclined, record DECLINED, one PaymentDeclined (%s)', async (paymentToken, reason) => {
    const input = chargeInput({ paymentToken });
    await expect(charge(input)).rejects.toEqual(rejection(SagaError.PaymentDeclined));

    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'DECLINED', attempts: 1, amountCents: 2599, currency: 'USD' });
    const events = await eventsOf(input.orderId);
    expect(events.map((e) => e.detailType)).toEqual([PaymentDeclined.detailType]);
    const detail = PaymentDeclined.detail.parse(events[0]!.raw);
    expect(detail.data).toEqual({ orderId: input.orderId, reason });
    expect(detail.metadata.correlationId).toBe(input.correlationId);
  });

  it('tok_error_once: the first call fails with PaymentUnavailable, the retry captures on attempt 2', async () => {
    const input = chargeInput({ paymentToken: 'tok_error_once' });
    await expect(charge(input)).rejects.toEqual(rejection(SagaError.PaymentUnavailable));
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(await eventsOf(input.orderId)).toEqual([]);

    const result = await charge(input);
    expect(result).toEqual({ orderId: input.orderId, paymentId: expect.stringMatching(ULID), status: 'CAPTURED' });
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'CAPTURED', attempts: 2 });
    const events = await eventsOf(input.orderId);
    expect(events.map((e) => e.detailType)).toEqual([PaymentCaptured.detailType]);
    expect(events[0]!.data.paymentId).toBe((result as { paymentId: string }).paymentId);
  });

  it('tok_unavailable: every call fails with PaymentUnavailable, each one counted, nothing emitted', async () => {
    const input = chargeInput({ paymentToken: 'tok_unavailable' });
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await expect(charge(input)).rejects.toEqual(rejection(SagaError.PaymentUnavailable));
      expect(await paymentOf(input.orderId)).toMatchObject({ status: 'FAILED', attempts: attempt });
    }
    expect(await eventsOf(input.orderId)).toEqual([]);
  });

  it('a duplicate charge after the capture returns the same payment without asking the provider again', async () => {
    const input = chargeInput();
    const first = await charge(input);
    const before = await paymentOf(input.orderId);
    const again = await charge({ ...input, correlationId: 'corr-retry' });
    expect(again).toEqual(first);
    // The attempt count would have moved had the provider been asked.
    expect(await paymentOf(input.orderId)).toEqual(before);
    expect(await eventsOf(input.orderId, PaymentCaptured.detailType)).toHaveLength(1);
  });

  it('a duplicate charge after a decline fails with the same PaymentDeclined, without a new attempt or event', async () => {
    const input = chargeInput({ paymentToken: 'tok_insufficient_funds' });
    const failure = (call: Promise<unknown>) => call.then(() => new Error('expected a rejection'), (error: unknown) => error as Error);
    const first = await failure(charge(input));
    const again = await failure(charge(input));
    expect(again).toEqual(rejection(SagaError.PaymentDeclined));
    expect(again.message).toBe(first.message);
    expect(again.message).toContain('insufficient_funds');
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'DECLINED', attempts: 1 });
    expect(await eventsOf(input.orderId)).toHaveLength(1);
  });

  it('5 parallel charges of one order capture exactly once and all answer with that payment', async () => {
    for (let round = 0; round < 3; round += 1) {
      const input = chargeInput();
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => charge(input)));
      for (const result of results) expect(result.status, JSON.stringify(result)).toBe('fulfilled');
      const paymentIds = new Set(results.map((r) => (r as PromiseFulfilledResult<{ paymentId: string }>).value.paymentId));
      expect(paymentIds.size).toBe(1);

      const events = await eventsOf(input.orderId);
      expect(events.map((e) => e.detailType)).toEqual([PaymentCaptured.detailType]);
      expect(events[0]!.data.paymentId).toBe([...paymentIds][0]);
      const payment = await paymentOf(input.orderId);
      expect(payment?.status).toBe('CAPTURED');
      expect(payment?.attempts).toBeGreaterThanOrEqual(1);
      expect(payment?.attempts).toBeLessThanOrEqual(5);
    }
  });

  it('5 parallel charges of a declined card emit exactly one PaymentDeclined and all fail with it', async () => {
    const input = chargeInput({ paymentToken: 'tok_decline' });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => charge(input)));
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toEqual(rejection(SagaError.PaymentDeclined));
    }
    expect(await eventsOf(input.orderId)).toHaveLength(1);
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'DECLINED' });
  });

  it('keeps the first attempt\'s amount: a retry with another amount neither changes the record nor the event', async () => {
    const input = chargeInput({ paymentToken: 'tok_error_once', amountCents: 1000 });
    await expect(charge(input)).rejects.toEqual(rejection(SagaError.PaymentUnavailable));
    await charge({ ...input, amountCents: 9999 });
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'CAPTURED', amountCents: 1000, attempts: 2 });
    expect((await eventsOf(input.orderId))[0]!.data.amountCents).toBe(1000);
  });

  it('fails on a malformed input, a fault, without writing anything', async () => {
    const input = chargeInput();
    await expect(handlers.charge({ ...input, amountCents: -5 }, lambdaContext())).rejects.toEqual(rejection('ZodError'));
    await expect(handlers.charge({ ...input, paymentToken: undefined }, lambdaContext())).rejects.toThrow();
    expect(await paymentOf(input.orderId)).toBeUndefined();
  });
});

describe('RefundPayment', () => {
  async function captured(overrides: Partial<ChargeInput> = {}) {
    const input = chargeInput(overrides);
    const { paymentId } = (await charge(input)) as { paymentId: string };
    return { ...input, paymentId };
  }

  it('refunds a captured payment: REFUNDED and one PaymentRefunded in the outbox', async () => {
    const payment = await captured({ amountCents: 4200 });
    const correlationId = `corr-${randomUUID()}`;
    expect(await refund(payment.orderId, correlationId)).toEqual({ orderId: payment.orderId, refunded: true });

    expect(await paymentOf(payment.orderId)).toMatchObject({ status: 'REFUNDED', amountCents: 4200, attempts: 1 });
    const events = await eventsOf(payment.orderId, PaymentRefunded.detailType);
    expect(events).toHaveLength(1);
    const detail = PaymentRefunded.detail.parse(events[0]!.raw);
    expect(detail.data).toEqual({ orderId: payment.orderId, paymentId: payment.paymentId, amountCents: 4200 });
    expect(detail.metadata.correlationId).toBe(correlationId);
  });

  it('a duplicate refund is a no-op answering refunded: true', async () => {
    const payment = await captured();
    expect(await refund(payment.orderId)).toEqual({ orderId: payment.orderId, refunded: true });
    const before = await paymentOf(payment.orderId);
    expect(await refund(payment.orderId)).toEqual({ orderId: payment.orderId, refunded: true });
    expect(await paymentOf(payment.orderId)).toEqual(before);
    expect(await eventsOf(payment.orderId, PaymentRefunded.detailType)).toHaveLength(1);
  });

  it('5 parallel refunds refund once', async () => {
    const payment = await captured();
    const results = await Promise.all(Array.from({ length: 5 }, () => refund(payment.orderId)));
    expect(results).toEqual(Array.from({ length: 5 }, () => ({ orderId: payment.orderId, refunded: true })));
    expect(await eventsOf(payment.orderId, PaymentRefunded.detailType)).toHaveLength(1);
  });

  it('a declined payment is not refunded and stays DECLINED', async () => {
    const input = chargeInput({ paymentToken: 'tok_decline' });
    await expect(charge(input)).rejects.toEqual(rejection(SagaError.PaymentDeclined));
    expect(await refund(input.orderId)).toEqual({ orderId: input.orderId, refunded: false });
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'DECLINED' });
    expect(await eventsOf(input.orderId, PaymentRefunded.detailType)).toEqual([]);
  });

  it('a FAILED payment is not refunded', async () => {
    const input = chargeInput({ paymentToken: 'tok_unavailable' });
    await expect(charge(input)).rejects.toEqual(rejection(SagaError.PaymentUnavailable));
    expect(await refund(input.orderId)).toEqual({ orderId: input.orderId, refunded: false });
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'FAILED' });
    expect(await eventsOf(input.orderId)).toEqual([]);
  });

  it('an order without a payment is not refunded, and no payment appears', async () => {
    const orderId = `order-${randomUUID()}`;
    expect(await refund(orderId)).toEqual({ orderId, refunded: false });
    expect(await paymentOf(orderId)).toBeUndefined();
    expect(await eventsOf(orderId)).toEqual([]);
  });

  it('a charge retried after the refund answers with the original capture and charges nothing', async () => {
    const payment = await captured();
    await refund(payment.orderId);
    expect(await charge(payment)).toEqual({ orderId: payment.orderId, paymentId: payment.paymentId, status: 'CAPTURED' });
    expect(await paymentOf(payment.orderId)).toMatchObject({ status: 'REFUNDED', attempts: 1 });
    expect(await eventsOf(payment.orderId, PaymentCaptured.detailType)).toHaveLength(1);
  });
});

describe('idempotency keys at the payment provider', () => {
  /** Settlements (and refunds) still to lose, and how many were. */
  const lost = { pending: 0, injected: 0 };
  beforeAll(() => {
    // The write that settles or refunds: the payment's update under its status condition.
    documentClient().middlewareStack.add(
      (next, context) => async (args) => {
        const { ConditionExpression } = args.input as { ConditionExpression?: string };
        if (lost.pending > 0 && context.commandName === 'UpdateItemCommand' && ConditionExpression === '#status = :expected') {
          lost.pending -= 1;
          lost.injected += 1;
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'loseSettlements', priority: 'high' },
    );
  });
  afterEach(() => {
    lost.pending = 0;
  });

  /** What the simulated provider keeps for an idempotency key: its answer and how often it was asked. */
  async function providerRecord(idempotencyKey: string) {
    const { Item } = await env.db.send(
      new GetCommand({ TableName: env.tableName, Key: { pk: `PROVIDER#${idempotencyKey}`, sk: 'PROVIDER' }, ConsistentRead: true }),
    );
    return Item as { answer: Record<string, string>; requests: number } | undefined;
  }

  /** The provider acted, then our write of its answer failed (a lost response): the step fails and is retried. */
  const loseTheNextSettlement = () => {
    lost.pending = 1;
    lost.injected = 0;
  };

  it('a charge retried after a lost response gets the first charge back: the provider charged once', async () => {
    const input = chargeInput();
    loseTheNextSettlement();
    await expect(charge(input)).rejects.toThrow('socket hang up');
    expect(lost.injected).toBe(1);
    const first = await providerRecord(`charge:${input.orderId}`);
    expect(first).toMatchObject({ answer: { outcome: 'approved', chargeId: expect.stringMatching(ULID) }, requests: 1 });
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'FAILED', attempts: 1 });

    const retried = await charge(input);
    expect(retried).toEqual({ orderId: input.orderId, paymentId: first!.answer.chargeId, status: 'CAPTURED' });
    // Asked twice under one key, charged once: the same charge both times.
    expect(await providerRecord(`charge:${input.orderId}`)).toMatchObject({ answer: first!.answer, requests: 2 });
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'CAPTURED', attempts: 2 });
    const events = await eventsOf(input.orderId);
    expect(events.map((e) => e.detailType)).toEqual([PaymentCaptured.detailType]);
    expect(events[0]!.data.paymentId).toBe(first!.answer.chargeId);
  });

  it('a declined charge retried after a lost response is declined again, from the answer the provider kept', async () => {
    const input = chargeInput({ paymentToken: 'tok_insufficient_funds' });
    loseTheNextSettlement();
    await expect(charge(input)).rejects.toThrow('socket hang up');
    await expect(charge(input)).rejects.toEqual(rejection(SagaError.PaymentDeclined));
    expect(await providerRecord(`charge:${input.orderId}`)).toMatchObject({
      answer: { outcome: 'declined', reason: 'insufficient_funds' }, requests: 2,
    });
  });

  it('keeps no answer for an attempt that never got through: tok_error_once is approved on the retry', async () => {
    const input = chargeInput({ paymentToken: 'tok_error_once' });
    await expect(charge(input)).rejects.toEqual(rejection(SagaError.PaymentUnavailable));
    expect(await providerRecord(`charge:${input.orderId}`)).toBeUndefined();
    const { paymentId } = (await charge(input)) as { paymentId: string };
    expect(await providerRecord(`charge:${input.orderId}`)).toMatchObject({ answer: { outcome: 'approved', chargeId: paymentId }, requests: 1 });
  });

  it('a refund retried after a lost response gets the first refund back: the provider refunded once', async () => {
    const input = chargeInput();
    const { paymentId } = (await charge(input)) as { paymentId: string };
    loseTheNextSettlement();
    await expect(refund(input.orderId)).rejects.toThrow('socket hang up');
    const first = await providerRecord(`refund:${input.orderId}`);
    expect(first).toMatchObject({ answer: { outcome: 'refunded', refundId: expect.stringMatching(ULID) }, requests: 1 });
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'CAPTURED' });

    expect(await refund(input.orderId)).toEqual({ orderId: input.orderId, refunded: true });
    expect(await providerRecord(`refund:${input.orderId}`)).toMatchObject({ answer: first!.answer, requests: 2 });
    expect(await paymentOf(input.orderId)).toMatchObject({ status: 'REFUNDED' });
    const refunds = await eventsOf(input.orderId, PaymentRefunded.detailType);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.data.paymentId).toBe(paymentId);
  });
});
