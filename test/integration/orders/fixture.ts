/**
 * The orders handlers running against DynamoDB Local (real conditions and transactions), with
 * Step Functions mocked: what the handlers ask of it is asserted, never executed.
 */
import { randomUUID } from 'node:crypto';
import {
  SFNClient, StartExecutionCommand, type ServiceInputTypes, type ServiceOutputTypes, type SFNClientResolvedConfig,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import {
  InvokeCommand, LambdaClient, type InvokeCommandOutput, type LambdaClientResolvedConfig, type ServiceInputTypes as LambdaInputs,
  type ServiceOutputTypes as LambdaOutputs,
} from '@aws-sdk/client-lambda';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { afterAll, expect } from 'vitest';
import type { Order } from '../../../functions/contracts/api/orders';
import { ProductArchived, ProductCreated, ProductUpdated } from '../../../functions/contracts/events/catalog';
import type { EventContract, EventData } from '../../../functions/contracts/events/envelope';
import { ORDERS_ENV } from '../../../functions/orders/orders-config';
import { OUTBOX_KIND, outboxEntries, RELAYED_ATTRIBUTE } from '../../../functions/shared/events/outbox';
import { bearer, useHandlerEnvironment } from '../../support/handler-env';
import { call, lambdaContext } from '../../support/http';
import { busEvent as sharedBusEvent } from '../../support/bus-event';

export const ORDER_SAGA_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:order-saga';
export const CANCELLATION_SAGA_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:cancellation-saga';
export const CLAIM_SHIPMENT_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:claim-shipment';
/** Small, so that the handlers' tests write snapshots too (an order has at most four events). */
export const FIXTURE_SNAPSHOT_EVERY = 2;

type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;
type ProxyHandler = Parameters<typeof call>[0];
type TaskHandler = (event: unknown, context: Context) => Promise<unknown>;
type ConsumerHandler = (event: EventBridgeEvent<string, unknown>, context: Context) => Promise<void>;

export interface OrdersFixture {
  env: Env;
  sfn: AwsStub<ServiceInputTypes, ServiceOutputTypes, SFNClientResolvedConfig>;
  /** Shipping's claim function, as the cancel route invokes it; it claims every shipment unless told otherwise. */
  lambda: AwsStub<LambdaInputs, LambdaOutputs, LambdaClientResolvedConfig>;
  api: Record<'placeOrder' | 'getOrder' | 'listOrders' | 'cancelOrder', ProxyHandler>;
  tasks: Record<'confirmOrder' | 'rejectOrder' | 'cancelOrder' | 'flagOrder', TaskHandler>;
  onCatalogEvent: ConsumerHandler;
  onShipmentEvent: ConsumerHandler;
}

// The mocks replace the SDK clients' send for the whole process: a file's own end restores them,
// as files after it in the same worker may use the real clients.
const stubs: { restore(): void }[] = [];
afterAll(() => {
  for (const stub of stubs.splice(0)) stub.restore();
});

/** Call once per test file, in beforeAll: the handlers read their configuration when imported. */
export async function ordersFixture(): Promise<OrdersFixture> {
  const env = await useHandlerEnvironment('orders');
  process.env[ORDERS_ENV.orderSagaArn] = ORDER_SAGA_ARN;
  process.env[ORDERS_ENV.cancellationSagaArn] = CANCELLATION_SAGA_ARN;
  process.env[ORDERS_ENV.claimShipmentFunction] = CLAIM_SHIPMENT_ARN;
  process.env[ORDERS_ENV.snapshotEvery] = String(FIXTURE_SNAPSHOT_EVERY);
  const sfn = mockClient(SFNClient);
  sfn.on(StartExecutionCommand).callsFake(startedExecution);
  const lambda = mockClient(LambdaClient);
  stubs.push(sfn, lambda);
  answerShipmentClaims(lambda, { claimed: true, status: 'CANCELLED' });
  return {
    env,
    sfn,
    lambda,
    api: {
      placeOrder: (await import('../../../functions/orders/handlers/place-order')).handler,
      getOrder: (await import('../../../functions/orders/handlers/get-order')).handler,
      listOrders: (await import('../../../functions/orders/handlers/list-orders')).handler,
      cancelOrder: (await import('../../../functions/orders/handlers/cancel-order')).handler,
    },
    tasks: {
      confirmOrder: (await import('../../../functions/orders/handlers/confirm-order')).handler as TaskHandler,
      rejectOrder: (await import('../../../functions/orders/handlers/reject-order')).handler as TaskHandler,
      cancelOrder: (await import('../../../functions/orders/handlers/cancel-order-task')).handler as TaskHandler,
      flagOrder: (await import('../../../functions/orders/handlers/flag-order')).handler as TaskHandler,
    },
    onCatalogEvent: (await import('../../../functions/orders/handlers/on-catalog-event')).handler as ConsumerHandler,
    onShipmentEvent: (await import('../../../functions/orders/handlers/on-shipment-event')).handler as ConsumerHandler,
  };
}

export function startedExecution(input: StartExecutionCommandInput) {
  return { executionArn: `${input.stateMachineArn!.replace(':stateMachine:', ':execution:')}:${input.name}`, startDate: new Date() };
}

/** Restores the default answer of StartExecution and forgets earlier calls. */
export function resetStepFunctions(fixture: OrdersFixture): void {
  fixture.sfn.reset();
  fixture.sfn.on(StartExecutionCommand).callsFake(startedExecution);
}

/** Shipping's claim answers every invocation with `answer` (or its function error), and earlier calls are forgotten. */
export function answerShipmentClaims(
  lambda: OrdersFixture['lambda'], answer: { claimed: boolean; status: string } | { functionError: string },
): void {
  lambda.reset();
  lambda.on(InvokeCommand).callsFake((input: { Payload?: Uint8Array }) => {
    const request = JSON.parse(new TextDecoder().decode(input.Payload)) as { orderId: string };
    const [body, functionError] =
      'functionError' in answer ? [{ errorType: answer.functionError, errorMessage: 'the claim failed' }, 'Unhandled'] : [{ orderId: request.orderId, ...answer }, undefined];
    return { StatusCode: 200, FunctionError: functionError, Payload: new TextEncoder().encode(JSON.stringify(body)) } as unknown as InvokeCommandOutput;
  });
}

/** The claims the cancel route made so far: the function invoked and the input decoded. */
export function shipmentClaims(fixture: OrdersFixture) {
  return fixture.lambda.commandCalls(InvokeCommand).map((c) => ({
    functionName: c.args[0].input.FunctionName,
    input: JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)) as Record<string, unknown>,
  }));
}

/** The StartExecution requests made so far, inputs decoded. */
export function startedExecutions(fixture: OrdersFixture) {
  return fixture.sfn.commandCalls(StartExecutionCommand).map((c) => ({
    stateMachineArn: c.args[0].input.stateMachineArn,
    name: c.args[0].input.name,
    input: JSON.parse(c.args[0].input.input ?? 'null') as Record<string, unknown>,
  }));
}

let counter = 0;
export const uniqueId = (label: string) => `${label}-${Date.now().toString(36)}-${counter++}-${randomUUID().slice(0, 8)}`;

export const customerId = () => uniqueId('01CUSTOMER');
export const ADMIN = '01ADMIN0000000000000000000';
export const asCustomer = (id: string) => bearer(id, 'customer');
export const asAdmin = () => bearer(ADMIN, 'admin');

/** An event of another context as EventBridge delivers it to a consumer. */
export const busEvent = <E extends EventContract>(event: E, data: EventData<E>, correlationId = 'catalog-corr') =>
  sharedBusEvent(event, data, { correlationId });

export interface ProductSeed {
  productId: string;
  name: string;
  priceCents: number;
}

/** A product the orders context knows, as its ProductCreated delivered it. */
export async function seedProduct(fixture: OrdersFixture, overrides: Partial<ProductSeed> = {}): Promise<ProductSeed> {
  const product = { productId: uniqueId('01PRODUCT'), name: 'Espresso Cup', priceCents: 1299, ...overrides };
  await fixture.onCatalogEvent(
    busEvent(ProductCreated, { ...product, category: 'kitchen', currency: 'USD', sku: uniqueId('SKU') }),
    lambdaContext(),
  );
  return product;
}

export function productUpdated(product: ProductSeed, version: number, changes: Partial<ProductSeed> = {}) {
  return busEvent(ProductUpdated, {
    productId: product.productId, name: changes.name ?? product.name, priceCents: changes.priceCents ?? product.priceCents,
    category: 'kitchen', currency: 'USD', sku: 'SKU', description: '', version,
  });
}

export const productArchived = (productId: string, version: number) => busEvent(ProductArchived, { productId, version });

export const address = {
  name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB',
};

export function orderBody(items: { productId: string; quantity: number }[], overrides: Record<string, unknown> = {}) {
  return { items, paymentToken: 'tok_visa', shippingAddress: address, ...overrides };
}

export const placeOrder = (fixture: OrdersFixture, body: unknown, headers: Record<string, string>) =>
  call<Order>(fixture.api.placeOrder, { method: 'POST', path: '/orders', body, headers });

const orderPath = (orderId: string, suffix = '') => ({
  resource: `/orders/{orderId}${suffix}`,
  path: `/orders/${orderId}${suffix}`,
  pathParameters: { orderId },
});

export const getOrder = (fixture: OrdersFixture, orderId: string, headers: Record<string, string>) =>
  call<Order>(fixture.api.getOrder, { method: 'GET', ...orderPath(orderId), headers });

export const listOrders = (fixture: OrdersFixture, headers: Record<string, string>, query?: Record<string, string>) =>
  call<{ items: Order[]; nextCursor: string | null }>(fixture.api.listOrders, { method: 'GET', path: '/orders', query, headers });

export const cancelOrder = (fixture: OrdersFixture, orderId: string, headers: Record<string, string>) =>
  call<Order>(fixture.api.cancelOrder, { method: 'POST', ...orderPath(orderId, '/cancel'), headers });

/** A PENDING order of `customer`, asserting the 202 so later steps start from a known state. */
export async function placedOrder(fixture: OrdersFixture, customer: string, quantity = 2): Promise<Order> {
  const product = await seedProduct(fixture);
  const response = await placeOrder(fixture, orderBody([{ productId: product.productId, quantity }]), asCustomer(customer));
  expect(response.status).toBe(202);
  return response.body;
}

/** What OrderPlaced says of an order (OrderConfirmed adds the address): its customer, priced lines and total. */
export const pricedOrder = (order: Order, customer: string) => ({
  orderId: order.orderId,
  customerId: customer,
  items: order.items.map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents })),
  totalCents: order.totalCents,
  currency: 'USD',
});

/** Runs a saga task the way Step Functions invokes it. */
export function runTask(fixture: OrdersFixture, task: keyof OrdersFixture['tasks'], input: Record<string, unknown>) {
  return fixture.tasks[task](input, lambdaContext());
}

export const transition = (orderId: string, fields: Record<string, unknown>) => ({ orderId, correlationId: 'saga-corr', ...fields });

/** Every item of the order's partition: its state and its events. */
export async function orderItems(fixture: OrdersFixture, orderId: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await fixture.env.db.send(
    new QueryCommand({ TableName: fixture.env.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `ORDER#${orderId}` } }),
  );
  return Items;
}

export async function stateItem(fixture: OrdersFixture, orderId: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await fixture.env.db.send(
    new GetCommand({ TableName: fixture.env.tableName, Key: { pk: `ORDER#${orderId}`, sk: 'STATE' } }),
  );
  return Item;
}

export interface OutboxRecord {
  detailType: string;
  detail: { metadata: { eventId: string; correlationId: string }; data: Record<string, unknown> };
}

/**
 * The domain events the order's event items carry for the relay, oldest first: each item is its
 * own outbox record (read as the relay reads it), and no other item of the table records them.
 */
export async function outboxOf(fixture: OrdersFixture, orderId: string): Promise<OutboxRecord[]> {
  const events = (await orderItems(fixture, orderId)).filter((item) => item.kind === 'orderEvent');
  const records: OutboxRecord[] = [];
  for (const event of events) {
    const [entry, ...more] = outboxEntries(event);
    expect(more, `events of ${String(event.sk)}`).toEqual([]);
    expect(event[RELAYED_ATTRIBUTE], `relay mark of ${String(event.sk)}`).toBe(OUTBOX_KIND);
    const detail = JSON.parse(entry!.detail) as OutboxRecord['detail'];
    expect(detail.metadata.eventId).toBe(event.eventId);
    const { Item } = await fixture.env.db.send(
      new GetCommand({ TableName: fixture.env.tableName, Key: { pk: `OUTBOX#${event.eventId as string}`, sk: 'OUTBOX' } }),
    );
    expect(Item, `a second record of ${String(event.sk)}`).toBeUndefined();
    records.push({ detailType: entry!.detailType, detail });
  }
  return records;
}

export { errorPaths, problem, type ProblemBody } from '../../support/problem';
