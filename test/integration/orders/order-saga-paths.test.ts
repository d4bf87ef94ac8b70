/**
 * The synthesized saga definitions, run by an ASL interpreter (aws-local-stepfunctions): the
 * orders steps are the real handlers on DynamoDB Local, inventory's and payments' steps are
 * stand-ins that answer or fail as each test says (inventory's keeps its reservations and stock,
 * so a test can tell where each path leaves the units). Retry intervals are set to zero; the retry
 * counts and every Catch are the definition's own.
 */
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OrderSagaInput, SagaError } from '../../../functions/contracts/saga';
import type { OrdersStack } from '../../../lib/orders/orders-stack';
import { ExecutionError, StateMachine, type EngineJson, type StateMachineDefinition } from '../../../local/stepfunctions/engine';
import {
  asCustomer, cancelOrder, customerId, getOrder, ordersFixture, outboxOf, placedOrder, resetStepFunctions, runTask, startedExecutions,
  stateItem, transition, type OrdersFixture,
} from './fixture';
import { buildOrdersApp, functionArn, type Definition, type StepName } from '../../infra/orders/saga-app';

let fx: OrdersFixture;
let stack: OrdersStack;
let stepFunctions: Record<StepName, IFunction>;
let logicalId: (construct: IConstruct) => string;
let definitionOf: (machine: IConstruct) => Definition;

beforeAll(async () => {
  fx = await ordersFixture();
  ({ stack, stepFunctions, logicalId, definitionOf } = buildOrdersApp());
}, 120_000);

type Input = Record<string, unknown>;
type Line = { productId: string; quantity: number };
type ReservationStatus = 'RESERVED' | 'RELEASED' | 'COMMITTED' | 'RETURNED';

/** Units on a product's shelf before any order reserves them. */
const SHELF = 10;

/**
 * Inventory's stock steps as the stand-in plays them, by inventory's rules: one reservation per
 * order; release (units back on the shelf) and commit (units sold) move it on only from RESERVED,
 * return (sold units back on the shelf) only from COMMITTED; from any other status, or with no
 * reservation, a step changes nothing and answers with what it found.
 */
class StandInInventory {
  readonly stock = new Map<string, { available: number; reserved: number }>();
  readonly reservations = new Map<string, { status: ReservationStatus; items: Line[] }>();

  reserve(input: Input) {
    const orderId = input.orderId as string;
    if (!this.reservations.has(orderId)) {
      const items = (input.items as Line[]).map(({ productId, quantity }) => ({ productId, quantity }));
      for (const { productId, quantity } of items) {
        const shelf = this.stock.get(productId) ?? { available: SHELF, reserved: 0 };
        this.stock.set(productId, { available: shelf.available - quantity, reserved: shelf.reserved + quantity });
      }
      this.reservations.set(orderId, { status: 'RESERVED', items });
    }
    return { orderId, outcome: 'RESERVED' };
  }

  release = (input: Input) => this.settle(input, 'RESERVED', 'RELEASED', { available: 1, reserved: -1 });
  commit = (input: Input) => this.settle(input, 'RESERVED', 'COMMITTED', { available: 0, reserved: -1 });
  return = (input: Input) => this.settle(input, 'COMMITTED', 'RETURNED', { available: 1, reserved: 0 });

  /** Where an order's path left its reservation and the stock of its (first) product. */
  outcomeOf(input: Input) {
    const [line] = input.items as Line[];
    return { reservation: this.reservations.get(input.orderId as string)?.status, stock: this.stock.get(line!.productId) };
  }

  private settle(input: Input, from: ReservationStatus, to: ReservationStatus, perUnit: { available: number; reserved: number }) {
    const orderId = input.orderId as string;
    const reservation = this.reservations.get(orderId);
    if (!reservation) return { orderId, outcome: 'NO_RESERVATION' };
    if (reservation.status !== from) return { orderId, outcome: reservation.status };
    for (const { productId, quantity } of reservation.items) {
      const shelf = this.stock.get(productId)!;
      this.stock.set(productId, {
        available: shelf.available + perUnit.available * quantity, reserved: shelf.reserved + perUnit.reserved * quantity,
      });
    }
    reservation.status = to;
    return { orderId, outcome: to };
  }
}

/**
 * Payments' steps as the stand-in plays them, by payments' rules: a charge captures once per
 * order; a refund moves a capture to REFUNDED once, and says whether the order's money was
 * refunded (false when nothing was ever captured).
 */
class StandInPayments {
  readonly payments = new Map<string, 'CAPTURED' | 'REFUNDED'>();

  charge(input: Input) {
    const orderId = input.orderId as string;
    if (!this.payments.has(orderId)) this.payments.set(orderId, 'CAPTURED');
    return { orderId, paymentId: `pay-${orderId}`, status: 'CAPTURED' };
  }

  refund(input: Input) {
    const orderId = input.orderId as string;
    if (!this.payments.has(orderId)) return { orderId, refunded: false };
    this.payments.set(orderId, 'REFUNDED');
    return { orderId, refunded: true };
  }
}

let inventory: StandInInventory;
let payments: StandInPayments;

beforeEach(() => {
  resetStepFunctions(fx);
  inventory = new StandInInventory();
  payments = new StandInPayments();
});

type Behaviour = (input: Input, attempt: number) => unknown;
/** The orders steps, which run the real handlers unless a test plays them. */
type OwnStep = 'confirmOrder' | 'rejectOrder' | 'cancelOrder' | 'flagOrder';

/** A failure as Lambda reports it to Step Functions: the error's name is what Retry and Catch select on. */
const failure = (name: string, message = `${name} (test)`) => Object.assign(new Error(message), { name });
const fails = (name: string): Behaviour => () => {
  throw failure(name);
};
const failsTimes = (times: number, name: string, then: Behaviour): Behaviour => (input, attempt) => {
  if (attempt <= times) throw failure(name);
  return then(input, attempt);
};

const answers: Record<StepName, Behaviour> = {
  reserveStock: (input) => inventory.reserve(input),
  releaseStock: (input) => inventory.release(input),
  commitStock: (input) => inventory.commit(input),
  returnStock: (input) => inventory.return(input),
  chargePayment: (input) => payments.charge(input),
  refundPayment: (input) => payments.refund(input),
};

/** The step's effect lands, and then its Lambda is killed by its timeout before it can answer: on every attempt. */
const timesOutAfter = (effect: Behaviour): Behaviour => (input, attempt) => {
  effect(input, attempt);
  throw failure('Sandbox.Timedout', 'Task timed out after 10.00 seconds');
};

interface Run {
  /** The execution's output, or its error. */
  outcome: { status: 'SUCCEEDED'; output: Input } | { status: 'FAILED'; error: unknown };
  /** Every task invocation, in order: the state and the payload it sent. */
  calls: { state: string; input: Input }[];
}

async function runSaga(machine: IConstruct, input: Input, behaviours: Partial<Record<StepName | OwnStep, Behaviour>> = {}): Promise<Run> {
  const definition = definitionOf(machine);
  const own = (step: OwnStep): [string, (input: Input, attempt: number) => Promise<unknown>] => [
    functionArn(logicalId(stack.tasks[step])),
    async (i, attempt) => (behaviours[step] ? behaviours[step](i, attempt) : runTask(fx, step, i)),
  ];
  const ours = Object.fromEntries((['confirmOrder', 'rejectOrder', 'cancelOrder', 'flagOrder'] as const).map(own));
  const theirs = Object.fromEntries(
    (Object.keys(stepFunctions) as StepName[]).map((step) => [functionArn(logicalId(stepFunctions[step])), behaviours[step] ?? answers[step]]),
  );
  const calls: Run['calls'] = [];
  const attempts = new Map<string, number>();
  const handlers: Record<string, (input: EngineJson) => Promise<EngineJson>> = {};
  const noWait: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    noWait[name] = 0;
    handlers[name] = async (payload) => {
      const stepInput = payload as Input;
      calls.push({ state: name, input: stepInput });
      const attempt = (attempts.get(name) ?? 0) + 1;
      attempts.set(name, attempt);
      const step = ours[state.Resource!] ?? theirs[state.Resource!]!;
      const result = await step(stepInput, attempt);
      return JSON.parse(JSON.stringify(result ?? null)) as EngineJson;
    };
  }
  const execution = new StateMachine(definition as unknown as StateMachineDefinition).run(input as EngineJson, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides: noWait },
  });
  try {
    return { outcome: { status: 'SUCCEEDED', output: (await execution.result) as Input }, calls };
  } catch (error) {
    return { outcome: { status: 'FAILED', error }, calls };
  }
}

const statesOf = (run: Run) => run.calls.map((c) => c.state);

/** A PENDING order placed through the API, and its saga's input, as its contract builds it from the stored order. */
async function placed(customer = customerId()) {
  const order = await placedOrder(fx, customer, 2);
  const input: Input = OrderSagaInput.parse({
    orderId: order.orderId,
    correlationId: `saga-${order.orderId}`,
    customerId: customer,
    items: order.items.map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents })),
    totalCents: order.totalCents,
    currency: order.currency,
    paymentToken: 'tok_visa',
  });
  return { order, customer, input };
}

/** The OrderCancelled the order's cancellation recorded in its outbox. */
const cancelledEvent = async (orderId: string) => (await outboxOf(fx, orderId)).find((r) => r.detailType === 'OrderCancelled')?.detail.data;

const statusOf = async (orderId: string, customer: string) => (await getOrder(fx, orderId, asCustomer(customer))).body;

describe('the order saga, run', () => {
  it('confirms: reserves, charges, commits and confirms, each step getting its contract input', async () => {
    const { order, customer, input } = await placed();
    const run = await runSaga(stack.orderSaga, input);
    expect(run.outcome.status).toBe('SUCCEEDED');
    expect(statesOf(run)).toEqual(['ReserveStock', 'ChargePayment', 'CommitStock', 'ConfirmOrder']);
    const [reserve, charge, commit, confirm] = run.calls;
    expect(reserve!.input).toEqual({ orderId: order.orderId, correlationId: input.correlationId, items: input.items });
    expect(charge!.input).toEqual({
      orderId: order.orderId, correlationId: input.correlationId, customerId: customer,
      amountCents: order.totalCents, currency: 'USD', paymentToken: 'tok_visa',
    });
    expect(confirm!.input).toEqual({ orderId: order.orderId, correlationId: input.correlationId, to: 'CONFIRMED' });
    expect(commit!.input).toEqual({ orderId: order.orderId, correlationId: input.correlationId });
    // Each result is kept beside the input, which survives to the end.
    expect(run.outcome.status === 'SUCCEEDED' && run.outcome.output).toMatchObject({
      ...input, reservation: { outcome: 'RESERVED' }, payment: { status: 'CAPTURED' }, commit: { outcome: 'COMMITTED' },
      confirmation: { status: 'CONFIRMED' },
    });
    expect((await statusOf(order.orderId, customer)).status).toBe('CONFIRMED');
    expect(inventory.outcomeOf(input)).toEqual({ reservation: 'COMMITTED', stock: { available: SHELF - 2, reserved: 0 } });
  });

  it('runs again harmlessly for an order it already settled (every step is idempotent)', async () => {
    const { order, customer, input } = await placed();
    await runSaga(stack.orderSaga, input);
    const settled = { outbox: await outboxOf(fx, order.orderId), stock: inventory.outcomeOf(input), state: await stateItem(fx, order.orderId) };
    const again = await runSaga(stack.orderSaga, input);
    expect(again.outcome.status).toBe('SUCCEEDED');
    expect(again.calls.find((c) => c.state === 'ConfirmOrder')).toBeDefined();
    expect((await statusOf(order.orderId, customer)).history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED']);
    // Changed nothing: no event, no stock moved, the order's item as it was.
    expect({ outbox: await outboxOf(fx, order.orderId), stock: inventory.outcomeOf(input), state: await stateItem(fx, order.orderId) }).toEqual(settled);
  });

  // An Express saga de-duplicates no name: a redelivered OrderPlaced starts a second execution
  // while the first may still run. Inventory's and payments' own tests prove their steps
  // idempotent under parallel calls; here, the orders steps run for real on the same order.
  it('settles an order once when two executions of its saga run at once (Express)', async () => {
    const { order, customer, input } = await placed();
    const runs = await Promise.all([runSaga(stack.orderSaga, input), runSaga(stack.orderSaga, input)]);
    expect(runs.map((run) => run.outcome.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect((await statusOf(order.orderId, customer)).history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED']);
    const events = (await outboxOf(fx, order.orderId)).map((r) => r.detailType);
    expect(events.filter((type) => type === 'OrderConfirmed')).toHaveLength(1);
    expect(inventory.outcomeOf(input)).toEqual({ reservation: 'COMMITTED', stock: { available: SHELF - 2, reserved: 0 } });
    expect(payments.payments.get(order.orderId)).toBe('CAPTURED');
  });

  it('cancels an order once when two executions of its saga meet a declined payment at once (Express)', async () => {
    const { order, customer, input } = await placed();
    const declined = { chargePayment: fails(SagaError.PaymentDeclined) };
    await Promise.all([runSaga(stack.orderSaga, input, declined), runSaga(stack.orderSaga, input, declined)]);
    expect((await statusOf(order.orderId, customer)).history.map((h) => h.status)).toEqual(['PENDING', 'CANCELLED']);
    expect((await outboxOf(fx, order.orderId)).filter((r) => r.detailType === 'OrderCancelled')).toHaveLength(1);
    expect(inventory.outcomeOf(input)).toEqual({ reservation: 'RELEASED', stock: { available: SHELF, reserved: 0 } });
  });

  it('rejects (OUT_OF_STOCK) when ReserveStock fails with OutOfStock, without charging or retrying', async () => {
    const { order, customer, input } = await placed();
    const run = await runSaga(stack.orderSaga, input, { reserveStock: fails(SagaError.OutOfStock) });
    expect(run.outcome.status).toBe('SUCCEEDED');
    expect(statesOf(run)).toEqual(['ReserveStock', 'RejectOrder']);
    expect(await statusOf(order.orderId, customer)).toMatchObject({ status: 'REJECTED', statusReason: 'OUT_OF_STOCK' });
  });

  it('releases the stock and cancels (PAYMENT_DECLINED) on a declined payment, which it never retries', async () => {
    const { order, customer, input } = await placed();
    const run = await runSaga(stack.orderSaga, input, { chargePayment: fails(SagaError.PaymentDeclined) });
    expect(statesOf(run)).toEqual(['ReserveStock', 'ChargePayment', 'ReleaseStockPaymentDeclined', 'CancelOrderPaymentDeclined']);
    expect(run.calls[2]!.input).toEqual({ orderId: order.orderId, correlationId: input.correlationId, reason: 'PAYMENT_DECLINED' });
    expect(await statusOf(order.orderId, customer)).toMatchObject({ status: 'CANCELLED', statusReason: 'PAYMENT_DECLINED' });
    expect(inventory.outcomeOf(input)).toEqual({ reservation: 'RELEASED', stock: { available: SHELF, reserved: 0 } });
  });

  it('retries an unavailable payment provider three times, then releases the stock and cancels (PAYMENT_UNAVAILABLE)', async () => {
    const { order, customer, input } = await placed();
    const run = await runSaga(stack.orderSaga, input, { chargePayment: fails(SagaError.PaymentUnavailable) });
    expect(statesOf(run)).toEqual([
      'ReserveStock', 'ChargePayment', 'ChargePayment', 'ChargePayment', 'ChargePayment',
      'ReleaseStockPaymentUnavailable', 'CancelOrderPaymentUnavailable',
    ]);
    expect(await statusOf(order.orderId, customer)).toMatchObject({ status: 'CANCELLED', statusReason: 'PAYMENT_UNAVAILABLE' });
    expect(inventory.outcomeOf(input)).toEqual({ reservation: 'RELEASED', stock: { available: SHELF, reserved: 0 } });
  });

  it('confirms when the provider fails once and then approves the retry', async () => {
    const { order, customer, input } = await placed();
    const run = await runSaga(stack.orderSaga, input, { chargePayment: failsTimes(1, SagaError.PaymentUnavailable, answers.chargePayment) });
    expect(statesOf(run)).toEqual(['ReserveStock', 'ChargePayment', 'ChargePayment', 'CommitStock', 'ConfirmOrder']);
    expect((await statusOf(order.orderId, customer)).status).toBe('CONFIRMED');
  });

  it('retries transient failures of a step and carries on', async () => {
    const { order, customer, input } = await placed();
    const run = await runSaga(stack.orderSaga, input, {
      reserveStock: failsTimes(2, SagaError.Transient, answers.reserveStock),
      commitStock: failsTimes(1, 'Lambda.TooManyRequestsException', answers.commitStock),
    });
    expect(statesOf(run)).toEqual(['ReserveStock', 'ReserveStock', 'ReserveStock', 'ChargePayment', 'CommitStock', 'CommitStock', 'ConfirmOrder']);
    expect((await statusOf(order.orderId, customer)).status).toBe('CONFIRMED');
    expect(inventory.outcomeOf(input)).toEqual({ reservation: 'COMMITTED', stock: { available: SHELF - 2, reserved: 0 } });
  });

  it('refunds, returns the committed stock and cancels (CUSTOMER_REQUEST, refunded) when the customer cancelled before the confirmation', async () => {
    const { order, customer, input } = await placed();
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
    const run = await runSaga(stack.orderSaga, input);
    expect(run.outcome.status).toBe('SUCCEEDED');
    expect(statesOf(run)).toEqual([
      'ReserveStock', 'ChargePayment', 'CommitStock', 'ConfirmOrder', 'RefundPayment', 'ReturnStockCustomerRequest', 'CancelOrderCustomerRequest',
    ]);
    expect(run.calls[4]!.input).toEqual({ orderId: order.orderId, correlationId: input.correlationId });
    expect(run.calls[5]!.input).toEqual({ orderId: order.orderId, correlationId: input.correlationId });
    expect(run.calls[6]!.input).toEqual({
      orderId: order.orderId, correlationId: input.correlationId, to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', refunded: true,
    });
    const settled = await statusOf(order.orderId, customer);
    expect(settled).toMatchObject({ status: 'CANCELLED', statusReason: 'CUSTOMER_REQUEST' });
    expect(settled.history.map((h) => h.status)).toEqual(['PENDING', 'CANCELLED']);
    // The units were committed before ConfirmOrder refused: returning them puts every one back on the shelf.
    expect(inventory.outcomeOf(input)).toEqual({ reservation: 'RETURNED', stock: { available: SHELF, reserved: 0 } });
  });

  it('flags the order for an operator and fails the execution when a compensation keeps failing', async () => {
    const { order, input } = await placed();
    const run = await runSaga(stack.orderSaga, input, {
      chargePayment: fails(SagaError.PaymentDeclined),
      releaseStock: fails('StockTableUnavailable'),
    });
    expect(statesOf(run)).toEqual(['ReserveStock', 'ChargePayment', ...Array(7).fill('ReleaseStockPaymentDeclined'), 'FlagOrder']);
    expect(run.calls.at(-1)!.input).toMatchObject({ orderId: order.orderId, error: 'StockTableUnavailable' });
    expect(run.outcome.status).toBe('FAILED');
    expect(run.outcome.status === 'FAILED' && run.outcome.error).toBeInstanceOf(ExecutionError);
    expect(await stateItem(fx, order.orderId)).toMatchObject({
      status: 'PENDING', needsOperator: true, operatorError: 'StockTableUnavailable', operatorCause: expect.stringContaining('StockTableUnavailable'),
      // What `ops orders retry` runs again, with no execution history to read (EXPRESS keeps none).
      failedStep: { saga: 'order', state: 'ReleaseStockPaymentDeclined' },
    });
    expect((await stateItem(fx, order.orderId))!.failedStep).not.toHaveProperty('abortReason');
    // Left for the operator exactly as the failing compensation found it: still held.
    expect(inventory.outcomeOf(input)).toEqual({ reservation: 'RESERVED', stock: { available: SHELF - 2, reserved: 2 } });
  });

  it.each([
    {
      step: 'ReserveStock',
      behaviours: { reserveStock: timesOutAfter((i) => inventory.reserve(i)) },
      attempts: ['ReserveStock', 'ReserveStock', 'ReserveStock', 'ReserveStock'],
      reason: 'PROCESSING_FAILED', refunded: false, reservation: 'RELEASED', payment: undefined,
    },
    {
      step: 'ChargePayment',
      behaviours: { chargePayment: timesOutAfter((i) => payments.charge(i)) },
      attempts: ['ReserveStock', 'ChargePayment', 'ChargePayment', 'ChargePayment', 'ChargePayment'],
      reason: 'PAYMENT_UNAVAILABLE', refunded: true, reservation: 'RELEASED', payment: 'REFUNDED',
    },
    {
      step: 'CommitStock',
      behaviours: { commitStock: timesOutAfter((i) => inventory.commit(i)) },
      attempts: ['ReserveStock', 'ChargePayment', ...Array<string>(7).fill('CommitStock')],
      reason: 'PROCESSING_FAILED', refunded: true, reservation: 'RETURNED', payment: 'REFUNDED',
    },
    {
      step: 'ConfirmOrder',
      behaviours: { confirmOrder: timesOutAfter(() => undefined) },
      attempts: ['ReserveStock', 'ChargePayment', 'CommitStock', 'ConfirmOrder', 'ConfirmOrder', 'ConfirmOrder', 'ConfirmOrder'],
      reason: 'PROCESSING_FAILED', refunded: true, reservation: 'RETURNED', payment: 'REFUNDED',
    },
  ] as const)(
    'retries $step killed by its Lambda timeout, then undoes everything (its own effect too) and cancels the order ($reason)',
    async ({ behaviours, attempts, reason, refunded, reservation, payment }) => {
      const { order, customer, input } = await placed();
      const run = await runSaga(stack.orderSaga, input, behaviours);
      expect(statesOf(run)).toEqual([
        ...attempts, 'RefundPaymentAfterFailure', 'ReleaseStockAfterFailure', 'ReturnStockAfterFailure', 'CancelOrderAfterFailure',
      ]);
      expect(run.calls.find((c) => c.state === 'ReleaseStockAfterFailure')!.input).toEqual({ orderId: order.orderId, correlationId: input.correlationId, reason });
      expect(run.calls.at(-1)!.input).toEqual({ orderId: order.orderId, correlationId: input.correlationId, to: 'CANCELLED', reason, refunded });
      // Settled, not stuck PENDING, and not handed to an operator; the execution fails with the step's error, for its alarm.
      const settled = await statusOf(order.orderId, customer);
      expect(settled).toMatchObject({ status: 'CANCELLED', statusReason: reason });
      expect(await stateItem(fx, order.orderId)).not.toHaveProperty('needsOperator');
      expect(run.outcome.status === 'FAILED' && run.outcome.error).toMatchObject({ name: 'ExecutionError' });
      expect(JSON.stringify(run.outcome.status === 'FAILED' && (run.outcome.error as { cause?: unknown }).cause)).toContain('Sandbox.Timedout');
      // Every unit back on the shelf, nothing held, and the money back where it was taken.
      expect(inventory.outcomeOf(input)).toEqual({ reservation, stock: { available: SHELF, reserved: 0 } });
      expect(payments.payments.get(order.orderId)).toBe(payment);
      expect(await cancelledEvent(order.orderId)).toMatchObject({ reason, refunded });
    },
  );

  it('flags the order for an operator only when a compensation of a failed step keeps failing', async () => {
    const { order, input } = await placed();
    const run = await runSaga(stack.orderSaga, input, {
      reserveStock: timesOutAfter((i) => inventory.reserve(i)),
      releaseStock: fails('StockTableUnavailable'),
    });
    expect(statesOf(run)).toEqual([
      ...Array<string>(4).fill('ReserveStock'), 'RefundPaymentAfterFailure', ...Array<string>(7).fill('ReleaseStockAfterFailure'), 'FlagOrder',
    ]);
    expect(run.outcome.status).toBe('FAILED');
    expect(await stateItem(fx, order.orderId)).toMatchObject({
      status: 'PENDING', needsOperator: true, operatorError: 'StockTableUnavailable',
      // The reason ReserveStockFailed chose, which the retry's ReleaseStock and CancelOrder need again.
      failedStep: { saga: 'order', state: 'ReleaseStockAfterFailure', abortReason: 'PROCESSING_FAILED' },
    });
  });
});

describe('the cancellation saga, run', () => {
  it('refunds, returns the stock and cancels a CONFIRMED order (CUSTOMER_REQUEST, refunded)', async () => {
    const { order, customer, input: placedInput } = await placed();
    // Where the order saga leaves a confirmed order's units and payment.
    inventory.reserve(placedInput);
    inventory.commit(placedInput);
    payments.charge(placedInput);
    await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
    resetStepFunctions(fx);
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
    const input = startedExecutions(fx)[0]!.input;

    const run = await runSaga(stack.cancellationSaga, input);
    expect(run.outcome.status).toBe('SUCCEEDED');
    expect(statesOf(run)).toEqual(['RefundPayment', 'ReturnStock', 'CancelOrder']);
    expect(run.calls[0]!.input).toEqual({ orderId: order.orderId, correlationId: input.correlationId });
    const settled = await statusOf(order.orderId, customer);
    expect(settled).toMatchObject({ status: 'CANCELLED', statusReason: 'CUSTOMER_REQUEST' });
    expect(settled.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED', 'CANCELLED']);
    expect(inventory.outcomeOf(placedInput)).toEqual({ reservation: 'RETURNED', stock: { available: SHELF, reserved: 0 } });
    expect(payments.payments.get(order.orderId)).toBe('REFUNDED');
    expect(run.calls[2]!.input).toMatchObject({ reason: 'CUSTOMER_REQUEST', refunded: true });
    expect(await cancelledEvent(order.orderId)).toMatchObject({ reason: 'CUSTOMER_REQUEST', refunded: true });
  });

  it('says what RefundPayment did: refunded false, on the order and its OrderCancelled, when nothing had been captured', async () => {
    const { order } = await placed();
    await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
    const run = await runSaga(stack.cancellationSaga, { orderId: order.orderId, correlationId: 'c' });
    expect(run.outcome.status).toBe('SUCCEEDED');
    expect(run.calls.map((c) => c.state)).toEqual(['RefundPayment', 'ReturnStock', 'CancelOrder']);
    expect(run.calls[2]!.input).toEqual({ orderId: order.orderId, correlationId: 'c', to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', refunded: false });
    expect(await cancelledEvent(order.orderId)).toMatchObject({ reason: 'CUSTOMER_REQUEST', refunded: false });
    const events = (await stateItem(fx, order.orderId))!;
    expect(events.status).toBe('CANCELLED');
  });

  it('flags the order when returning the stock keeps failing', async () => {
    const { order } = await placed();
    await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
    const run = await runSaga(stack.cancellationSaga, { orderId: order.orderId, correlationId: 'c' }, { returnStock: fails('Boom') });
    expect(statesOf(run)).toEqual(['RefundPayment', ...Array(7).fill('ReturnStock'), 'FlagOrder']);
    expect(run.outcome.status).toBe('FAILED');
    expect(await stateItem(fx, order.orderId)).toMatchObject({
      status: 'CONFIRMED', needsOperator: true, operatorError: 'Boom', failedStep: { saga: 'cancellation', state: 'ReturnStock' },
    });
  });
});
