import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { OrderPlaced } from '../../../functions/contracts/events/orders';
import { SagaError, STEP_FAILURE_REASON } from '../../../functions/contracts/saga';
import { domainEvent, outboxItem, relayedEvent } from '../../../functions/shared/events/outbox';
import { compileFilterCriteria } from '../../../local/lambda-event-sources/filter-criteria';
import { ORDERS_ENV, ORDERS_NEEDING_OPERATOR_METRIC } from '../../../functions/orders/orders-config';
import { orderSnapshotEvery, type OrdersStack } from '../../../lib/orders/orders-stack';
import { buildOrdersApp, functionArn, type Definition, type Resource, type Retrier, type StepName } from './saga-app';
import { unacknowledgedNagFindings } from '../../support/stack';
import { references } from '../../support/template';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stack: OrdersStack;
let template: Template;
let resources: Record<string, Resource>;
let stepFunctions: Record<StepName, IFunction>;
let shipmentClaim: IFunction;
let logicalId: (construct: IConstruct) => string;
let definitionOf: (machine: IConstruct) => Definition;

beforeAll(() => {
  ({ stack, template, resources, stepFunctions, shipmentClaim, logicalId, definitionOf } = buildOrdersApp());
}, 120_000);

/** Logical ids referenced inside a value (Ref and Fn::GetAtt). */

const fnRef = (fn: IFunction) => functionArn(logicalId(fn));

/** The logical ids of the functions a value refers to: in this stack by Fn::GetAtt, in the steps stack by Fn::ImportValue. */
function functionsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => functionsIn(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Fn::GetAtt') found.add((inner as string[])[0]!);
      else if (key === 'Fn::ImportValue') {
        const producer = [...Object.values(stepFunctions), shipmentClaim].find((fn) => String(inner).includes(`FnGetAtt${logicalId(fn)}Arn`));
        found.add(producer ? logicalId(producer) : String(inner));
      } else functionsIn(inner, found);
    }
  }
  return found;
}

/** States in the order the main line visits them. */
function mainLine(definition: Definition): string[] {
  const names: string[] = [];
  for (let name: string | undefined = definition.StartAt; name; name = definition.States[name]!.Next) names.push(name);
  return names;
}

/** A compensation path: from `start`, following Next to its end. */
const pathFrom = (definition: Definition, start: string) => mainLine({ ...definition, StartAt: start });

const TRANSIENT = [
  SagaError.Transient, 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException', 'Lambda.ClientExecutionTimeoutException', 'Lambda.Unknown', 'Sandbox.Timedout', 'States.Timeout',
];

const isTransientRetry = (retry: Retrier) =>
  JSON.stringify([...retry.ErrorEquals].sort()) === JSON.stringify([...TRANSIENT].sort()) && retry.JitterStrategy === 'FULL' && retry.BackoffRate! > 1;

/** Every compensation: retried on any error with backoff and jitter, then FlagOrder, keeping the saga's input. */
function expectCompensation(definition: Definition, name: string, saga: 'order' | 'cancellation' = 'order'): void {
  const state = definition.States[name]!;
  expect(state.Retry, name).toEqual([
    { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
  ]);
  expect(state.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: `${name}KeptFailing` }]);
  // On the way to FlagOrder the step is recorded, for `ops orders retry` (an EXPRESS execution keeps no history).
  const keptFailing = definition.States[`${name}KeptFailing`]!;
  expect(keptFailing).toMatchObject({ Type: 'Pass', ResultPath: '$.failedStep', Next: 'FlagOrder' });
  expect(keptFailing.Parameters).toMatchObject({ state: name, saga });
  const afterFailure = name.endsWith('AfterFailure');
  expect(keptFailing.Parameters?.['abortReason.$'], name).toBe(afterFailure ? '$.abort.reason' : undefined);
}

function expectOperatorFlag(definition: Definition): void {
  const flag = definition.States.FlagOrder!;
  expect(flag.Resource).toBe(fnRef(stack.tasks.flagOrder));
  expect(flag.Parameters).toEqual({
    'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId', 'error.$': '$.failure.Error', 'cause.$': 'States.JsonToString($.failure)',
    'failedStep.$': '$.failedStep',
  });
  expect(flag.Retry![0]!.ErrorEquals).toEqual(['States.ALL']);
  expect(flag.Next).toBe('NeedsOperator');
  expect(definition.States.NeedsOperator).toEqual({ Type: 'Fail', ErrorPath: '$.failure.Error', Cause: expect.stringContaining('flagged') });
}

/** Every Task: a timeout, a result path that keeps the input, the step's identity in its payload, and a retry on transient errors. */
function expectTaskBasics(definition: Definition): void {
  const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');
  expect(tasks.length).toBeGreaterThan(0);
  const resultPaths = new Set<string>();
  for (const [name, task] of tasks) {
    expect(task.TimeoutSeconds, name).toBe(30);
    expect(task.ResultPath, name).toMatch(/^\$\.[a-z]+$/);
    resultPaths.add(task.ResultPath!);
    expect(task.Parameters, name).toMatchObject({ 'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId' });
    const retriesTransient = task.Retry!.some((r) => isTransientRetry(r) || r.ErrorEquals.includes('States.ALL'));
    expect(retriesTransient, name).toBe(true);
    for (const retry of task.Retry!) {
      expect(retry.ErrorEquals, name).not.toContain(SagaError.OutOfStock);
      expect(retry.ErrorEquals, name).not.toContain(SagaError.PaymentDeclined);
      expect(retry.ErrorEquals, name).not.toContain(SagaError.CancellationRequested);
      expect(retry.JitterStrategy, name).toBe('FULL');
    }
  }
}

describe('the order saga', () => {
  let definition: Definition;
  beforeAll(() => {
    definition = definitionOf(stack.orderSaga);
  });

  it('is a Standard state machine in dev, logged at level ALL with execution data, and traced', () => {
    const machine = resources[logicalId(stack.orderSaga)]!.Properties!;
    expect(machine.StateMachineType).toBe('STANDARD');
    expect(machine.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    const logGroup = [...references(machine.LoggingConfiguration)][0]!;
    expect(resources[logGroup]!.Type).toBe('AWS::Logs::LogGroup');
    expect(resources[logGroup]!.Properties!.RetentionInDays).toBeGreaterThan(0);
  });

  it('runs ReserveStock → ChargePayment → CommitStock → ConfirmOrder, each on its function, and ends there', () => {
    // The stock is committed before the order is confirmed: a CONFIRMED order has nothing left to commit.
    expect(mainLine(definition)).toEqual(['ReserveStock', 'ChargePayment', 'CommitStock', 'ConfirmOrder']);
    expect(definition.States.ConfirmOrder!.End).toBe(true);
    expect(definition.States.ReserveStock!.Resource).toBe(fnRef(stepFunctions.reserveStock));
    expect(definition.States.ChargePayment!.Resource).toBe(fnRef(stepFunctions.chargePayment));
    expect(definition.States.CommitStock!.Resource).toBe(fnRef(stepFunctions.commitStock));
    expect(definition.States.ConfirmOrder!.Resource).toBe(fnRef(stack.tasks.confirmOrder));
  });

  it('hands each step the input its contract expects', () => {
    expect(definition.States.ReserveStock!.Parameters).toEqual({ 'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId', 'items.$': '$.items' });
    expect(definition.States.ChargePayment!.Parameters).toEqual({
      'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId', 'customerId.$': '$.customerId',
      'amountCents.$': '$.totalCents', 'currency.$': '$.currency', 'paymentToken.$': '$.paymentToken',
    });
    expect(definition.States.CommitStock!.Parameters).toEqual({ 'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId' });
    expect(definition.States.ConfirmOrder!.Parameters).toEqual({ 'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId', to: 'CONFIRMED' });
    expect(definition.States.ReturnStockCustomerRequest!.Parameters).toEqual({ 'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId' });
  });

  it('gives every task a timeout, a result path, and retries on transient errors only, with backoff and full jitter', () => {
    expectTaskBasics(definition);
    for (const name of ['ReserveStock', 'ChargePayment', 'ConfirmOrder']) {
      const retry = definition.States[name]!.Retry!;
      expect(isTransientRetry(retry[0]!), name).toBe(true);
      expect(retry.flatMap((r) => r.ErrorEquals), name).not.toContain('States.ALL');
    }
    expect(definition.States.ReserveStock!.Retry).toHaveLength(1);
    expect(definition.States.ConfirmOrder!.Retry).toHaveLength(1);
  });

  it('retries PaymentUnavailable a few times with backoff and jitter, and then cancels (PAYMENT_UNAVAILABLE, not refunded)', () => {
    const charge = definition.States.ChargePayment!;
    expect(charge.Retry![1]).toEqual({
      ErrorEquals: [SagaError.PaymentUnavailable], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL',
    });
    const catcher = charge.Catch!.find((c) => c.ErrorEquals.includes(SagaError.PaymentUnavailable))!;
    expect(catcher.ResultPath).toBe('$.failure');
    const path = pathFrom(definition, catcher.Next);
    expect(path).toEqual(['ReleaseStockPaymentUnavailable', 'CancelOrderPaymentUnavailable']);
    expect(definition.States[path[0]!]!.Resource).toBe(fnRef(stepFunctions.releaseStock));
    expect(definition.States[path[0]!]!.Parameters).toMatchObject({ reason: 'PAYMENT_UNAVAILABLE' });
    expect(definition.States[path[1]!]!.Resource).toBe(fnRef(stack.tasks.cancelOrder));
    expect(definition.States[path[1]!]!.Parameters).toMatchObject({ to: 'CANCELLED', reason: 'PAYMENT_UNAVAILABLE', refunded: false });
  });

  it('rejects the order (OUT_OF_STOCK) when ReserveStock fails with OutOfStock', () => {
    const [outOfStock, anyOther] = definition.States.ReserveStock!.Catch!;
    expect(outOfStock).toEqual({ ErrorEquals: [SagaError.OutOfStock], ResultPath: '$.failure', Next: 'RejectOrder' });
    expect(anyOther).toEqual({ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'ReserveStockFailed' });
    expect(pathFrom(definition, 'RejectOrder')).toEqual(['RejectOrder']);
    expect(definition.States.RejectOrder!.Resource).toBe(fnRef(stack.tasks.rejectOrder));
    expect(definition.States.RejectOrder!.Parameters).toMatchObject({ to: 'REJECTED', reason: 'OUT_OF_STOCK' });
  });

  it('releases the stock and cancels (PAYMENT_DECLINED, not refunded) when the payment is declined', () => {
    const catches = definition.States.ChargePayment!.Catch!;
    expect(catches.map((c) => c.ErrorEquals)).toEqual([[SagaError.PaymentDeclined], [SagaError.PaymentUnavailable], ['States.ALL']]);
    const path = pathFrom(definition, catches[0]!.Next);
    expect(path).toEqual(['ReleaseStockPaymentDeclined', 'CancelOrderPaymentDeclined']);
    expect(definition.States[path[0]!]!.Parameters).toMatchObject({ reason: 'PAYMENT_DECLINED' });
    expect(definition.States[path[1]!]!.Parameters).toMatchObject({ to: 'CANCELLED', reason: 'PAYMENT_DECLINED', refunded: false });
  });

  it('refunds, returns the committed stock and cancels (CUSTOMER_REQUEST, refunded) when ConfirmOrder reports CancellationRequested', () => {
    const [requested, anyOther] = definition.States.ConfirmOrder!.Catch!;
    expect(requested).toEqual({ ErrorEquals: [SagaError.CancellationRequested], ResultPath: '$.failure', Next: 'RefundPayment' });
    expect(anyOther!.ErrorEquals).toEqual(['States.ALL']);
    // CommitStock already ran, so the units are COMMITTED: they are returned, never released.
    expect(pathFrom(definition, 'RefundPayment')).toEqual(['RefundPayment', 'ReturnStockCustomerRequest', 'CancelOrderCustomerRequest']);
    expect(definition.States.ReleaseStockCustomerRequest).toBeUndefined();
    expect(definition.States.RefundPayment!.Resource).toBe(fnRef(stepFunctions.refundPayment));
    expect(definition.States.ReturnStockCustomerRequest!.Resource).toBe(fnRef(stepFunctions.returnStock));
    expect(definition.States.ReturnStockCustomerRequest!.Parameters).toEqual({ 'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId' });
    expect(definition.States.CancelOrderCustomerRequest!.Resource).toBe(fnRef(stack.tasks.cancelOrder));
    // The order and its OrderCancelled say what RefundPayment did.
    expect(definition.States.CancelOrderCustomerRequest!.Parameters).toEqual({
      'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId', to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', 'refunded.$': '$.refund.refunded',
    });
    expect(definition.States.RefundPayment!.ResultPath).toBe('$.refund');
  });

  it('retries every compensation on any error and then flags the order for an operator, failing the execution', () => {
    const compensations = [
      'RejectOrder', 'ReleaseStockPaymentDeclined', 'CancelOrderPaymentDeclined', 'ReleaseStockPaymentUnavailable',
      'CancelOrderPaymentUnavailable', 'RefundPayment', 'ReturnStockCustomerRequest', 'CancelOrderCustomerRequest',
      'RefundPaymentAfterFailure', 'ReleaseStockAfterFailure', 'ReturnStockAfterFailure', 'CancelOrderAfterFailure',
    ];
    for (const name of compensations) expectCompensation(definition, name);
    expectOperatorFlag(definition);
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task').map(([name]) => name).sort();
    expect(tasks).toEqual([...compensations, 'ReserveStock', 'ChargePayment', 'CommitStock', 'ConfirmOrder', 'FlagOrder'].sort());
  });

  it('retries a step killed by its Lambda timeout (Sandbox.Timedout, Lambda.Unknown, ClientExecutionTimeout) like any transient failure', () => {
    for (const name of ['ReserveStock', 'ChargePayment', 'ConfirmOrder']) {
      const [transient] = definition.States[name]!.Retry!;
      expect(transient!.ErrorEquals, name).toEqual(expect.arrayContaining(['Sandbox.Timedout', 'Lambda.Unknown', 'Lambda.ClientExecutionTimeoutException']));
      expect(transient!.MaxAttempts, name).toBe(3);
    }
    // CommitStock, the payment being taken, retries any error, longer.
    expect(definition.States.CommitStock!.Retry).toEqual([
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' },
    ]);
  });

  it('undoes everything when a forward step fails for any other reason, the failed step included, and cancels the order', () => {
    for (const step of ['ReserveStock', 'ChargePayment', 'CommitStock', 'ConfirmOrder'] as const) {
      const catches = definition.States[step]!.Catch!;
      // The last catcher, after any business outcome: any error, once the retries are spent.
      expect(catches.at(-1), step).toEqual({ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: `${step}Failed` });
      expect(catches.flatMap((c) => c.ErrorEquals).filter((e) => e === 'States.ALL'), step).toHaveLength(1);
      const reason = definition.States[`${step}Failed`]!;
      expect(reason).toMatchObject({ Type: 'Pass', Result: { reason: STEP_FAILURE_REASON[step] }, ResultPath: '$.abort' });
      expect(pathFrom(definition, `${step}Failed`)).toEqual([
        `${step}Failed`, 'RefundPaymentAfterFailure', 'ReleaseStockAfterFailure', 'ReturnStockAfterFailure', 'CancelOrderAfterFailure', 'StepFailed',
      ]);
    }
    expect(STEP_FAILURE_REASON.ChargePayment).toBe('PAYMENT_UNAVAILABLE');
    const identity = { 'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId' };
    expect(definition.States.RefundPaymentAfterFailure!).toMatchObject({ Resource: fnRef(stepFunctions.refundPayment), Parameters: identity, ResultPath: '$.refund' });
    expect(definition.States.ReleaseStockAfterFailure!).toMatchObject({
      Resource: fnRef(stepFunctions.releaseStock), Parameters: { ...identity, 'reason.$': '$.abort.reason' },
    });
    expect(definition.States.ReturnStockAfterFailure!).toMatchObject({ Resource: fnRef(stepFunctions.returnStock), Parameters: identity });
    expect(definition.States.CancelOrderAfterFailure!).toMatchObject({
      Resource: fnRef(stack.tasks.cancelOrder),
      Parameters: { ...identity, to: 'CANCELLED', 'reason.$': '$.abort.reason', 'refunded.$': '$.refund.refunded' },
    });
    // The order is settled, and the execution fails with the step's error, so the alarm tells someone a step keeps failing.
    expect(definition.States.StepFailed).toEqual({ Type: 'Fail', ErrorPath: '$.failure.Error', Cause: expect.stringContaining('undone') });
  });

  it('hands the payment token to ChargePayment only', () => {
    const carrying = Object.entries(definition.States).filter(([, s]) => JSON.stringify(s.Parameters ?? {}).includes('paymentToken'));
    expect(carrying.map(([name]) => name)).toEqual(['ChargePayment']);
  });
});

describe('the sagas', () => {
  // Each state transition is billed (Standard): a state that does nothing but end costs one per order.
  it('have no state that exists only to end: every path ends on a task, or on a Fail that fails the execution', () => {
    for (const machine of [stack.orderSaga, stack.cancellationSaga]) {
      const states = Object.entries(definitionOf(machine).States);
      expect(states.filter(([, state]) => state.Type === 'Succeed').map(([name]) => name)).toEqual([]);
      for (const [name, state] of states.filter(([, s]) => s.Type === 'Pass')) expect(state.Next, name).toBeDefined();
      const ends = states.filter(([, state]) => state.End === true || state.Type === 'Fail');
      expect(ends.every(([, state]) => state.Type === 'Task' || state.Type === 'Fail')).toBe(true);
    }
  });
});

describe('the cancellation saga', () => {
  let definition: Definition;
  beforeAll(() => {
    definition = definitionOf(stack.cancellationSaga);
  });

  it('refunds, returns the stock and cancels (CUSTOMER_REQUEST, refunded), each step retried and then flagged', () => {
    expect(mainLine(definition)).toEqual(['RefundPayment', 'ReturnStock', 'CancelOrder']);
    expect(definition.States.RefundPayment!.Resource).toBe(fnRef(stepFunctions.refundPayment));
    expect(definition.States.ReturnStock!.Resource).toBe(fnRef(stepFunctions.returnStock));
    expect(definition.States.CancelOrder!.Resource).toBe(fnRef(stack.tasks.cancelOrder));
    expect(definition.States.RefundPayment!.ResultPath).toBe('$.refund');
    expect(definition.States.CancelOrder!.Parameters).toEqual({
      'orderId.$': '$.orderId', 'correlationId.$': '$.correlationId', to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', 'refunded.$': '$.refund.refunded',
    });
    for (const name of ['RefundPayment', 'ReturnStock', 'CancelOrder']) expectCompensation(definition, name, 'cancellation');
    expectOperatorFlag(definition);
    expectTaskBasics(definition);
  });

  it('is a Standard state machine, logged at level ALL with execution data, and traced', () => {
    expect(resources[logicalId(stack.cancellationSaga)]!.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
    });
  });
});

describe('the sagas in prod', () => {
  let prod: ReturnType<typeof buildOrdersApp>;
  beforeAll(() => {
    prod = buildOrdersApp('prod');
  }, 120_000);

  it('run the order saga as Express (its cost, see the README), alarmed on a failed and on a timed-out execution; the cancellation saga stays Standard', () => {
    const typeOf = (machine: IConstruct) => prod.resources[prod.logicalId(machine)]!.Properties!.StateMachineType;
    expect(typeOf(prod.stack.orderSaga)).toBe('EXPRESS');
    expect(typeOf(prod.stack.cancellationSaga)).toBe('STANDARD');
    const alarmsOn = (machine: IConstruct) =>
      Object.values(prod.resources)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && references(r.Properties!.Dimensions).has(prod.logicalId(machine)))
        .map((r) => r.Properties!.MetricName)
        .sort();
    expect(alarmsOn(prod.stack.orderSaga)).toEqual(['ExecutionsFailed', 'ExecutionsTimedOut']);
    expect(alarmsOn(prod.stack.cancellationSaga)).toEqual(['ExecutionsFailed']);
  });

  it('pass the AwsSolutions checks with the Express order saga (its logging and tracing as cdk-nag asks)', () => {
    expect(unacknowledgedNagFindings(prod.stack)).toEqual([]);
  });

  it('log every event without its execution data (payment tokens, addresses); dev logs it with its data', () => {
    for (const machine of [prod.stack.orderSaga, prod.stack.cancellationSaga]) {
      const logging = prod.resources[prod.logicalId(machine)]!.Properties!.LoggingConfiguration as Record<string, unknown>;
      expect(logging).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
      expect(logging.Destinations).toHaveLength(1);
    }
    for (const machine of [stack.orderSaga, stack.cancellationSaga]) {
      expect(resources[logicalId(machine)]!.Properties!.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
    }
  });
});

describe('OrdersStack', () => {
  const policies = () => Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Policy');
  const statementsOfRole = (roleId: string): Statement[] =>
    policies()
      .filter((r) => references(r.Properties!.Roles).has(roleId))
      .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
  const roleOf = (fn: IConstruct) => [...references(resources[logicalId(fn)]!.Properties!.Role)][0]!;
  const actionsOf = (statements: Statement[]) => statements.flatMap((s) => ([] as string[]).concat(s.Action));

  it('alarms on a failed execution of either saga and on an order flagged for an operator, into the alarm topic', () => {
    for (const machine of [stack.orderSaga, stack.cancellationSaga]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ExecutionsFailed',
        Namespace: 'AWS/States',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(machine) } }],
        Threshold: 1,
        AlarmActions: [Match.anyValue()],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: ORDERS_NEEDING_OPERATOR_METRIC,
      Namespace: 'Commerce',
      Dimensions: [{ Name: 'service', Value: 'orders' }],
      Statistic: 'Sum',
      Threshold: 1,
      AlarmActions: [Match.anyValue()],
    });
  });

  it('has one table with a stream for its outbox and the customer index gsi1', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'gsi1' })],
    });
  });

  it("relays the order's event items themselves, and nothing else of its partition: no snapshot, no state, no change", () => {
    const [mapping, ...others] = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::EventSourceMapping' && JSON.stringify(r.Properties!.EventSourceArn).includes('StreamArn'),
    );
    expect(others).toEqual([]);
    const filters = (mapping!.Properties!.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) => f.Pattern);
    const relayed = compileFilterCriteria(filters, 'orders outbox relay');
    const placed = domainEvent(OrderPlaced, { orderId: 'o1', customerId: 'c1', items: [{ productId: 'p1', quantity: 1, unitPriceCents: 100 }], totalCents: 100, currency: 'USD' }, 'corr');
    const order = { pk: 'ORDER#o1', orderId: 'o1' };
    const event = { ...order, sk: 'EVENT#000001', kind: 'orderEvent', seq: 1, ...relayedEvent(placed) };
    const record = (eventName: string, item: object) => ({ eventName, dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) } });
    expect(relayed(record('INSERT', event))).toBe(true);
    expect(relayed(record('INSERT', outboxItem(placed))), 'an outbox record of another context').toBe(true);
    expect(relayed(record('MODIFY', event))).toBe(false);
    expect(relayed(record('INSERT', { ...order, sk: 'EVENT#000002#SNAPSHOT', kind: 'orderSnapshot', seq: 2, state: {} }))).toBe(false);
    expect(relayed(record('INSERT', { ...order, sk: 'STATE', kind: 'order', status: 'PENDING' }))).toBe(false);
    expect(relayed(record('INSERT', { ...order, sk: 'PAYMENT', kind: 'orderPayment', paymentToken: 'tok_visa' }))).toBe(false);
  });

  it('grants DynamoDB access on its own table (and its index) only, never Scan or a wildcard', () => {
    const table = logicalId(stack.table);
    const dynamo = policies()
      .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:ListStreams'));
    expect(dynamo.length).toBeGreaterThanOrEqual(9);
    for (const statement of dynamo) {
      expect([...references(statement.Resource)]).toEqual([table]);
      expect(actionsOf([statement])).not.toContain('dynamodb:Scan');
      expect(actionsOf([statement])).not.toContain('dynamodb:*');
    }
  });

  it('lets the OrderPlaced consumer start the order saga and cancelOrder the cancellation saga, exactly, and no other function start anything', () => {
    const startsOf = (fn: IConstruct) =>
      statementsOfRole(roleOf(fn)).filter((s) => actionsOf([s]).some((a) => a.startsWith('states:')));
    const expectStarts = (fn: IConstruct, machine: IConstruct) => {
      const statements = startsOf(fn);
      expect(statements).toHaveLength(1);
      expect(statements[0]!.Action).toBe('states:StartExecution');
      expect(statements[0]!.Resource).toEqual({ Ref: logicalId(machine) });
    };
    expectStarts(stack.sagaStarter, stack.orderSaga);
    expectStarts(stack.routeFunctions.cancelOrder, stack.cancellationSaga);
    const others = [
      stack.routeFunctions.placeOrder, stack.routeFunctions.getOrder, stack.routeFunctions.listOrders, ...Object.values(stack.tasks),
    ];
    for (const fn of others) expect(startsOf(fn)).toEqual([]);

    const env = (fn: IConstruct) => (resources[logicalId(fn)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(env(stack.sagaStarter)[ORDERS_ENV.orderSagaArn]).toEqual({ Ref: logicalId(stack.orderSaga) });
    expect(env(stack.routeFunctions.placeOrder)[ORDERS_ENV.orderSagaArn]).toBeUndefined();
    expect(env(stack.routeFunctions.cancelOrder)[ORDERS_ENV.cancellationSagaArn]).toEqual({ Ref: logicalId(stack.cancellationSaga) });
  });

  it('tells the functions that append order events, and only those, every how many events to write a snapshot (10 unless -c orderSnapshotEvery)', () => {
    const variables = (fn: IConstruct) => (resources[logicalId(fn)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    const shipmentConsumer = Object.entries(resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && String(r.Properties!.Description ?? '').startsWith('ShipmentDispatched and ShipmentDelivered'),
    )![0];
    const { placeOrder, getOrder, listOrders, cancelOrder } = stack.routeFunctions;
    const writers = [placeOrder, stack.tasks.confirmOrder, stack.tasks.rejectOrder, stack.tasks.cancelOrder, stack.sagaStarter];
    for (const fn of writers) expect(variables(fn)[ORDERS_ENV.snapshotEvery], fn.node.path).toBe('10');
    expect((resources[shipmentConsumer]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables[ORDERS_ENV.snapshotEvery]).toBe('10');
    for (const fn of [getOrder, listOrders, cancelOrder, stack.tasks.flagOrder]) expect(variables(fn)[ORDERS_ENV.snapshotEvery], fn.node.path).toBeUndefined();
    expect(orderSnapshotEvery('3')).toBe(3);
    expect(() => orderSnapshotEvery('0')).toThrow(/orderSnapshotEvery must be a whole number of events, at least 1/);
    expect(() => orderSnapshotEvery('ten')).toThrow(/orderSnapshotEvery must be/);
  });

  it("lets cancelOrder invoke exactly shipping's claim function, unqualified, and no other function of the stack invoke anything", () => {
    const invokes = (fn: IConstruct) =>
      statementsOfRole(roleOf(fn)).filter((s) => actionsOf([s]).some((a) => a.startsWith('lambda:')));
    const [statement, ...more] = invokes(stack.routeFunctions.cancelOrder);
    expect(more).toEqual([]);
    expect(statement!.Action).toBe('lambda:InvokeFunction');
    expect(functionsIn(statement!.Resource)).toEqual(new Set([logicalId(shipmentClaim)]));
    expect(JSON.stringify(statement!.Resource)).not.toContain(':*');
    const env = (resources[logicalId(stack.routeFunctions.cancelOrder)]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(functionsIn(env[ORDERS_ENV.claimShipmentFunction])).toEqual(new Set([logicalId(shipmentClaim)]));
    const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    for (const [id, fn] of functions) {
      if (id === logicalId(stack.routeFunctions.cancelOrder)) continue;
      const role = [...references(fn.Properties!.Role)][0]!;
      expect(actionsOf(statementsOfRole(role)).filter((a) => a.startsWith('lambda:')), id).toEqual([]);
    }
  });

  it('gives the read routes no write action, and only the routes the signing secret', () => {
    for (const fn of [stack.routeFunctions.getOrder, stack.routeFunctions.listOrders]) {
      const actions = actionsOf(statementsOfRole(roleOf(fn))).filter((a) => a.startsWith('dynamodb:'));
      expect(actions.sort()).toEqual(fn === stack.routeFunctions.listOrders
        ? ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']
        : ['dynamodb:GetItem', 'dynamodb:Query']);
    }
    for (const fn of Object.values(stack.routeFunctions)) {
      expect(actionsOf(statementsOfRole(roleOf(fn)))).toContain('secretsmanager:GetSecretValue');
    }
    for (const fn of Object.values(stack.tasks)) {
      expect(actionsOf(statementsOfRole(roleOf(fn))).some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    }
  });

  it('lets each saga invoke exactly the functions of its steps', () => {
    const invoked = (machine: IConstruct) => {
      const role = [...references(resources[logicalId(machine)]!.Properties!.RoleArn)][0]!;
      const statements = statementsOfRole(role).filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'));
      return new Set(statements.flatMap((s) => [...functionsIn(s.Resource)]));
    };
    const ids = (fns: IConstruct[]) => new Set(fns.map(logicalId));
    expect(invoked(stack.orderSaga)).toEqual(ids([
      stepFunctions.reserveStock, stepFunctions.releaseStock, stepFunctions.commitStock, stepFunctions.returnStock, stepFunctions.chargePayment,
      stepFunctions.refundPayment, stack.tasks.confirmOrder, stack.tasks.rejectOrder, stack.tasks.cancelOrder,
      stack.tasks.flagOrder,
    ]));
    expect(invoked(stack.cancellationSaga)).toEqual(ids([
      stepFunctions.refundPayment, stepFunctions.returnStock, stack.tasks.cancelOrder, stack.tasks.flagOrder,
    ]));
  });

  it('subscribes its catalog copy to ProductCreated, ProductUpdated and ProductArchived, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['commerce.catalog'], 'detail-type': ['ProductCreated', 'ProductUpdated', 'ProductArchived'] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });

  it('subscribes a consumer to ShipmentDispatched and ShipmentDelivered only, writing its own table, with an alarmed dead-letter queue', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const shipments = rules.filter((r) => JSON.stringify(r.Properties!.EventPattern).includes('commerce.shipping'));
    expect(shipments).toHaveLength(1);
    const rule = shipments[0]!;
    expect(rule.Properties!.EventPattern).toEqual({ source: ['commerce.shipping'], 'detail-type': ['ShipmentDispatched', 'ShipmentDelivered'] });

    const [target] = rule.Properties!.Targets as { Arn: unknown; DeadLetterConfig: { Arn: unknown }; RetryPolicy: unknown }[];
    expect(target!.RetryPolicy).toBeDefined();
    const consumerId = [...references(target!.Arn)][0]!;
    const consumer = resources[consumerId]!;
    expect(consumer.Properties!.Description).toContain('SHIPPED');
    expect(consumer.Properties!.Environment).toMatchObject({ Variables: { TABLE_NAME: { Ref: logicalId(stack.table) } } });
    const actions = actionsOf(statementsOfRole([...references(consumer.Properties!.Role)][0]!));
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']));
    expect(actions.join()).not.toMatch(/secretsmanager|states:|events:PutEvents/);

    const queueId = [...references(target!.DeadLetterConfig.Arn)][0]!;
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: consumerId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && references(r.Properties!.Dimensions).has(queueId));
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.Properties!.AlarmActions).toHaveLength(1);
  });

  it('passes the AwsSolutions checks: every finding it accepts is acknowledged, precisely', () => {
    expect(unacknowledgedNagFindings(stack)).toEqual([]);
  });
});
