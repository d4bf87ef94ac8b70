import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Payment } from '../../../functions/contracts/api/payments';
import { bearer, useHandlerEnvironment } from '../../support/handler-env';
import { call, lambdaContext } from '../../support/http';

type Handler = Parameters<typeof call>[0];
let getHandler: Handler;
let chargeHandler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

beforeAll(async () => {
  await useHandlerEnvironment('payments');
  getHandler = (await import('../../../functions/payments/handlers/get-payment')).handler;
  chargeHandler = (await import('../../../functions/payments/handlers/charge-payment')).handler;
});

const admin = bearer('01ADMIN0000000000000000000', 'admin');

const getPayment = (orderId: string, headers: Record<string, string>) =>
  call(getHandler, { method: 'GET', resource: '/payments/{orderId}', path: `/payments/${orderId}`, pathParameters: { orderId }, headers });

/** A captured payment of a fresh customer's order, made through the saga task. */
async function paidOrder() {
  const customerId = `customer-${randomUUID()}`;
  const orderId = `order-${randomUUID()}`;
  await chargeHandler(
    { orderId, correlationId: 'corr-api', customerId, amountCents: 1850, currency: 'USD', paymentToken: 'tok_visa' },
    lambdaContext(),
  );
  return { orderId, customerId, owner: bearer(customerId) };
}

describe('GET /payments/{orderId}', () => {
  it("answers the order's customer with the payment, exactly the documented fields", async () => {
    const { orderId, owner } = await paidOrder();
    const response = await getPayment(orderId, owner);
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.body).toEqual({
      orderId, status: 'CAPTURED', amountCents: 1850, currency: 'USD', attempts: 1, updatedAt: expect.any(String),
    });
    expect(Payment.strict().safeParse(response.body).success).toBe(true);
    expect(Date.parse(response.body.updatedAt as string)).not.toBeNaN();
  });

  it('answers an admin with any payment', async () => {
    const { orderId, owner } = await paidOrder();
    const response = await getPayment(orderId, admin);
    expect(response.status).toBe(200);
    expect(response.body).toEqual((await getPayment(orderId, owner)).body);
  });

  it("answers 404, never 403, to another customer, and the same 404 as for an unknown order", async () => {
    const { orderId } = await paidOrder();
    const stranger = await getPayment(orderId, bearer(`customer-${randomUUID()}`));
    expect(stranger.status).toBe(404);
    expect(stranger.headers['Content-Type']).toBe('application/problem+json');
    const unknown = await getPayment(`order-${randomUUID()}`, bearer(`customer-${randomUUID()}`));
    expect(unknown.status).toBe(404);
    const { correlationId: _a, ...strangerProblem } = stranger.body;
    const { correlationId: _b, ...unknownProblem } = unknown.body;
    expect(strangerProblem).toEqual(unknownProblem);
  });

  it('answers 404 to an admin for an unknown order', async () => {
    const response = await getPayment(`order-${randomUUID()}`, admin);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ status: 404, type: expect.stringContaining('not-found') });
  });

  it('answers 401 without a token, or with a token it did not sign', async () => {
    const { orderId } = await paidOrder();
    const anonymous = await getPayment(orderId, {});
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['WWW-Authenticate']).toContain('Bearer');
    expect(JSON.stringify(anonymous.body)).not.toContain('1850');
    const forged = await getPayment(orderId, { Authorization: 'Bearer not.a.token' });
    expect(forged.status).toBe(401);
  });

  it('answers 400 for an order id longer than any id', async () => {
    const response = await getPayment('x'.repeat(65), admin);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ path: 'path.orderId', message: expect.any(String) }] });
  });
});
