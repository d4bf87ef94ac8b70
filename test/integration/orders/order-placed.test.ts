/**
 * The consumer of OrderPlaced that starts the order saga, fed the very event POST /orders stored
 * in the outbox, as EventBridge delivers it: exactly one execution per order, named orderId,
 * built from the stored order (the payment token never travels on the bus).
 */
import { randomUUID } from 'node:crypto';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OrderPlaced } from '../../../functions/contracts/events/orders';
import { OrderSagaInput } from '../../../functions/contracts/saga';
import { documentClient } from '../../../functions/shared/dynamo/document-client';
import { lambdaContext } from '../../support/http';
import {
  address, asCustomer, cancelOrder, customerId, getOrder, ORDER_SAGA_ARN, orderBody, ordersFixture, outboxOf, placedOrder, placeOrder,
  resetStepFunctions, runTask, seedProduct, startedExecutions, transition, type OrdersFixture,
} from './fixture';

let fx: OrdersFixture;
let onOrderPlaced: (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;

beforeAll(async () => {
  fx = await ordersFixture();
  onOrderPlaced = (await import('../../../functions/orders/handlers/on-order-placed')).handler as typeof onOrderPlaced;
});

beforeEach(() => resetStepFunctions(fx));

/** The order's OrderPlaced, exactly as the relay published it from the outbox. */
async function placedEvent(orderId: string): Promise<EventBridgeEvent<string, unknown>> {
  const records = (await outboxOf(fx, orderId)).filter((record) => record.detailType === OrderPlaced.detailType);
  expect(records).toHaveLength(1);
  return {
    version: '0', id: randomUUID(), 'detail-type': OrderPlaced.detailType, source: OrderPlaced.source, account: '000000000000',
    time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: records[0]!.detail,
  };
}

const deliver = (event: EventBridgeEvent<string, unknown>) => onOrderPlaced(event, lambdaContext());
const refuseRestarts = () =>
  fx.sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution already exists', $metadata: {} }));

describe('OrderPlaced → the order saga', () => {
  it('starts one execution named orderId, with the stored order and its payment token, which the event never carries', async () => {
    const cup = await seedProduct(fx, { priceCents: 1299 });
    const saucer = await seedProduct(fx, { priceCents: 450 });
    const customer = customerId();
    const placed = await placeOrder(
      fx,
      orderBody([{ productId: cup.productId, quantity: 2 }, { productId: saucer.productId, quantity: 3 }]),
      { ...asCustomer(customer), 'X-Correlation-Id': 'place-trace-1' },
    );
    const { orderId } = placed.body;
    const event = await placedEvent(orderId);
    expect(JSON.stringify(event)).not.toContain('tok_visa');
    expect(JSON.stringify(event)).not.toContain(address.line1);

    await deliver(event);
    expect(startedExecutions(fx)).toEqual([{ stateMachineArn: ORDER_SAGA_ARN, name: orderId, input: expect.any(Object) }]);
    expect(OrderSagaInput.parse(startedExecutions(fx)[0]!.input)).toEqual({
      orderId,
      correlationId: 'place-trace-1',
      customerId: customer,
      items: [
        { productId: cup.productId, quantity: 2, unitPriceCents: 1299 },
        { productId: saucer.productId, quantity: 3, unitPriceCents: 450 },
      ],
      totalCents: 3948,
      currency: 'USD',
      paymentToken: 'tok_visa',
    });
  });

  it('reads the order and its payment token in one Query, then claims the start: two DynamoDB requests', async () => {
    const order = await placedOrder(fx, customerId());
    const event = await placedEvent(order.orderId);
    const send = vi.spyOn(documentClient(), 'send');
    try {
      await deliver(event);
      expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['QueryCommand', 'UpdateCommand']);
    } finally {
      send.mockRestore();
    }
    expect(OrderSagaInput.parse(startedExecutions(fx)[0]!.input).paymentToken).toBe('tok_visa');
  });

  it('treats a redelivery as success: ExecutionAlreadyExists starts nothing new, and a settled order is not started at all', async () => {
    const order = await placedOrder(fx, customerId());
    const event = await placedEvent(order.orderId);
    await deliver(event);
    refuseRestarts();
    await expect(deliver(event)).resolves.toBeUndefined();
    expect(startedExecutions(fx).map((s) => s.name)).toEqual([order.orderId, order.orderId]);

    await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
    resetStepFunctions(fx);
    await expect(deliver(event)).resolves.toBeUndefined();
    expect(startedExecutions(fx)).toEqual([]);
  });

  it('fails when Step Functions cannot be reached, so Lambda retries the event, and the retry starts the saga', async () => {
    const order = await placedOrder(fx, customerId());
    const event = await placedEvent(order.orderId);
    fx.sfn.on(StartExecutionCommand).rejectsOnce(new Error('connection reset'));
    await expect(deliver(event)).rejects.toThrow('connection reset');
    await deliver(event);
    expect(startedExecutions(fx).map((s) => s.name)).toEqual([order.orderId, order.orderId]);
  });

  it('cancels an order whose customer cancelled before its saga started, and never starts one', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
    const event = await placedEvent(order.orderId);

    await deliver(event);
    await deliver(event);
    expect(startedExecutions(fx)).toEqual([]);
    const { body } = await getOrder(fx, order.orderId, asCustomer(customer));
    expect(body).toMatchObject({ status: 'CANCELLED', statusReason: 'CUSTOMER_REQUEST' });
    expect(body.history.map((h) => h.status)).toEqual(['PENDING', 'CANCELLED']);
    const cancelled = (await outboxOf(fx, order.orderId)).filter((record) => record.detailType === 'OrderCancelled');
    expect(cancelled.map((record) => record.detail.data)).toEqual([
      { orderId: order.orderId, customerId: customer, reason: 'CUSTOMER_REQUEST', refunded: false },
    ]);
  });

  it('leaves a cancellation that came after the start to the running saga, even when the event is redelivered', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    const event = await placedEvent(order.orderId);
    await deliver(event);
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
    refuseRestarts();
    await deliver(event);

    expect((await getOrder(fx, order.orderId, asCustomer(customer))).body.status).toBe('PENDING');
    await expect(runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }))).rejects.toMatchObject({
      name: 'CancellationRequested',
    });
  });

  it('fails on an OrderPlaced of an order it does not have, for the dead-letter queue', async () => {
    const order = await placedOrder(fx, customerId());
    const event = await placedEvent(order.orderId);
    const detail = event.detail as { data: { orderId: string } };
    const stray = { ...event, detail: { ...detail, data: { ...detail.data, orderId: 'no-such-order' } } };
    await expect(deliver(stray)).rejects.toThrow('No order no-such-order');
    expect(startedExecutions(fx)).toEqual([]);
  });
});
