import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { transactionConflicts } from '../../support/transaction-conflicts';
import {
  asCustomer, cancelOrder, customerId, orderItems, ordersFixture, placedOrder, problem, stateItem, type OrdersFixture,
} from './fixture';

/**
 * POST /orders/{orderId}/cancel when DynamoDB refuses its write because a saga task's
 * transaction holds the order at that moment (real DynamoDB does this, DynamoDB Local never).
 */
let fx: OrdersFixture;
let conflicts: ReturnType<typeof transactionConflicts>;

beforeAll(async () => {
  fx = await ordersFixture();
  conflicts = transactionConflicts();
});
afterEach(() => conflicts.stop());

const cancelledTransaction = () =>
  new TransactionCanceledException({
    message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: [{ Code: 'TransactionConflict' }],
  });

const kinds = [
  ['TransactionConflictException (a single write)', undefined],
  ['TransactionCanceledException with TransactionConflict', cancelledTransaction],
] as const;

describe('POST /orders/{orderId}/cancel under TransactionConflict', () => {
  it.each(kinds)('retries after %s and answers 202 once the write goes through', async (_kind, error) => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    conflicts.failNext(2, { commands: ['UpdateItemCommand', 'TransactWriteItemsCommand'], error });
    const response = await cancelOrder(fx, order.orderId, asCustomer(customer));
    expect(conflicts.injected()).toBe(2);
    expect(response.status, JSON.stringify(response.body)).toBe(202);
    expect(await stateItem(fx, order.orderId)).toMatchObject({ status: 'PENDING', cancelRequested: true });
  });

  it.each(kinds)('answers 409 problem+json after a few %s, and writes nothing', async (_kind, error) => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    const before = await orderItems(fx, order.orderId);
    conflicts.failNext(Number.POSITIVE_INFINITY, { commands: ['UpdateItemCommand', 'TransactWriteItemsCommand'], error });
    const response = await cancelOrder(fx, order.orderId, asCustomer(customer));
    conflicts.stop();
    expect(conflicts.injected()).toBeGreaterThan(1);
    expect(response.status).toBe(409);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(problem(response).type).toContain('concurrent-update');
    expect(JSON.stringify(response.body)).not.toMatch(/Transaction|Exception/);
    expect(await orderItems(fx, order.orderId)).toEqual(before);
    // The client's retry goes through.
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
  });
});
