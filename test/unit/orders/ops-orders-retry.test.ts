/**
 * `ops orders retry` without the execution's history: which compensation path it runs again
 * (from what the flag recorded) and the saga state it rebuilds from the order.
 */
import { describe, expect, it } from 'vitest';
import { applyParameters, pathStart, planFrom, sagaStateOf, type AslState } from '../../../ops/retry';

const fn = (name: string) => `arn:aws:lambda:us-east-1:0:function:${name}:live`;
/** A compensation as the saga builds it: its Catch goes through `<name>KeptFailing` to FlagOrder. */
const compensation = (name: string, next: string, Parameters: Record<string, unknown> = {}): Record<string, AslState> => ({
  [name]: { Type: 'Task', Resource: fn(name), Parameters, ResultPath: `$.${name}`, Next: next, Catch: [{ Next: `${name}KeptFailing` }] },
  [`${name}KeptFailing`]: { Type: 'Pass', Next: 'FlagOrder' },
});

/** The order saga's after-failure path and its payment-declined path, shaped as synthesized. */
const states: Record<string, AslState> = {
  ChargePayment: { Type: 'Task', Resource: fn('charge'), Next: 'CommitStock', Catch: [{ Next: 'ReleaseStockPaymentDeclined' }, { Next: 'ChargePaymentFailed' }] },
  CommitStock: { Type: 'Task', Resource: fn('commit'), End: true, Catch: [{ Next: 'CommitStockFailed' }] },
  ChargePaymentFailed: { Type: 'Pass', Next: 'RefundPaymentAfterFailure' },
  CommitStockFailed: { Type: 'Pass', Next: 'RefundPaymentAfterFailure' },
  ...compensation('RefundPaymentAfterFailure', 'ReleaseStockAfterFailure'),
  ...compensation('ReleaseStockAfterFailure', 'CancelOrderAfterFailure', { 'orderId.$': '$.orderId', 'reason.$': '$.abort.reason' }),
  ...compensation('CancelOrderAfterFailure', 'StepFailed', { 'orderId.$': '$.orderId', 'reason.$': '$.abort.reason', 'refunded.$': '$.refund.refunded' }),
  StepFailed: { Type: 'Fail' },
  ...compensation('ReleaseStockPaymentDeclined', 'CancelOrderPaymentDeclined'),
  ...compensation('CancelOrderPaymentDeclined', 'Cancelled'),
  Cancelled: { Type: 'Succeed' },
  FlagOrder: { Type: 'Task', Resource: fn('flag'), Next: 'NeedsOperator' },
  NeedsOperator: { Type: 'Fail' },
};

describe('orders retry: the path it runs again', () => {
  it('starts at the first compensation of the failed state\'s path, so a later step gets what an earlier one answers', () => {
    const plan = (failed: string) => planFrom(states, pathStart(states, failed)).map((step) => step.state);
    expect(plan('CancelOrderAfterFailure')).toEqual(['RefundPaymentAfterFailure', 'ReleaseStockAfterFailure', 'CancelOrderAfterFailure']);
    expect(plan('RefundPaymentAfterFailure')).toEqual(['RefundPaymentAfterFailure', 'ReleaseStockAfterFailure', 'CancelOrderAfterFailure']);
    // A Catch target is a path's head: the forward step before it is never run again.
    expect(plan('CancelOrderPaymentDeclined')).toEqual(['ReleaseStockPaymentDeclined', 'CancelOrderPaymentDeclined']);
  });

  it('refuses a state that is no compensation (a forward step, a state of another saga)', () => {
    expect(() => pathStart(states, 'ChargePayment')).toThrow(/ChargePayment is not a compensation of this saga/);
    expect(() => pathStart(states, 'ReturnStock')).toThrow(/ReturnStock is not a compensation/);
  });
});

describe('orders retry: the saga state, from the order', () => {
  const order = {
    pk: 'ORDER#o1', sk: 'STATE', orderId: 'o1', correlationId: 'c1', customerId: 'u1', status: 'PENDING', totalCents: 1000, currency: 'USD',
    items: [{ productId: 'p1', name: 'Mug', quantity: 2, unitPriceCents: 500 }], needsOperator: true,
  };

  it('takes what the saga\'s input had (no payment token) and the after-failure reason the flag kept', () => {
    const state = sagaStateOf(order, { saga: 'order', state: 'CancelOrderAfterFailure', abortReason: 'PAYMENT_UNAVAILABLE' });
    expect(state).toEqual({
      orderId: 'o1', correlationId: 'c1', customerId: 'u1', totalCents: 1000, currency: 'USD',
      items: [{ productId: 'p1', quantity: 2, unitPriceCents: 500 }], abort: { reason: 'PAYMENT_UNAVAILABLE' },
    });
    expect(applyParameters(states.ReleaseStockAfterFailure!.Parameters!, state)).toEqual({ orderId: 'o1', reason: 'PAYMENT_UNAVAILABLE' });
    expect(sagaStateOf(order, { saga: 'order', state: 'ReleaseStockPaymentDeclined' })).not.toHaveProperty('abort');
  });

  it('invokes nothing with a field the order cannot tell: a path Step Functions would fail on fails the retry', () => {
    const state = sagaStateOf(order, { saga: 'order', state: 'CancelOrderAfterFailure' });
    expect(() => applyParameters(states.CancelOrderAfterFailure!.Parameters!, state)).toThrow(/cannot tell \$\.abort\.reason from the order/);
  });
});
