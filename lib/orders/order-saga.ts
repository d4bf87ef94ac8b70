import { Duration, Stack } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  Chain, DefinitionBody, Errors, Fail, JitterType, JsonPath, LogLevel, Pass, Result, StateMachine, StateMachineType, Succeed, TaskInput,
  Timeout, type IChainable, type RetryProps, type TaskStateBase,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { SagaError, STEP_FAILURE_REASON } from '../../functions/contracts/saga';
import { acknowledgeNagFinding } from '../platform/acknowledge-nag-finding';
import { alarmOnFirst } from '../platform/alarm';
import type { Stage } from '../platform/stage';

/** The saga tasks inventory owns (see functions/contracts/saga.ts for their inputs and outputs). */
export interface InventoryTasks {
  readonly reserveStock: IFunction;
  readonly releaseStock: IFunction;
  readonly commitStock: IFunction;
  readonly returnStock: IFunction;
}

/** The saga tasks payments owns. */
export interface PaymentTasks {
  readonly chargePayment: IFunction;
  readonly refundPayment: IFunction;
}

/** The saga tasks orders owns: the order's own transitions and the operator flag. */
export interface OrderTasks {
  readonly confirmOrder: IFunction;
  readonly rejectOrder: IFunction;
  readonly recordCancellation: IFunction;
  readonly flagOrder: IFunction;
}

export interface SagaProps {
  readonly stage: Stage;
  readonly alarmTopic: ITopic;
  readonly inventory: InventoryTasks;
  readonly payments: PaymentTasks;
  readonly orders: OrderTasks;
}

/** Every task's limit: well above a step function's own timeout, so a hung invocation cannot stall the saga. */
export const TASK_TIMEOUT = Duration.seconds(30);

/**
 * Failures worth trying again: the step's own "lost a race / throttled" error, the Lambda
 * service's transient errors, the step's function killed by its own timeout (`Sandbox.Timedout`,
 * as Lambda reports it to Step Functions; `Lambda.Unknown` when the runtime could not say
 * why), and a task timeout. Every step is idempotent, so re-running one whose effect may have
 * landed before it was cut off is safe.
 */
export const TRANSIENT_ERRORS = [
  SagaError.Transient,
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
  Errors.TIMEOUT,
];

/** Forward steps: transient failures only, never a business outcome such as OutOfStock or PaymentDeclined. */
const TRANSIENT_RETRY: RetryProps = {
  errors: TRANSIENT_ERRORS,
  interval: Duration.seconds(1),
  maxAttempts: 3,
  backoffRate: 2,
  maxDelay: Duration.seconds(10),
  jitterStrategy: JitterType.FULL,
};

/** The payment provider's transient failures: a few attempts, then the order is cancelled. */
const PAYMENT_UNAVAILABLE_RETRY: RetryProps = {
  errors: [SagaError.PaymentUnavailable],
  interval: Duration.seconds(1),
  maxAttempts: 3,
  backoffRate: 2,
  jitterStrategy: JitterType.FULL,
};

/**
 * Compensations (and CommitStock, the payment being taken) must not give up easily: any error is
 * retried six times, over up to a minute and a half, before the order is flagged (CommitStock's
 * failure is compensated instead).
 */
const COMPENSATION_RETRY: RetryProps = {
  errors: [Errors.ALL],
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.seconds(30),
  jitterStrategy: JitterType.FULL,
};

/** Where a caught error is put; the rest of the saga's state (orderId, items...) stays as it was. */
const FAILURE_PATH = '$.failure';
/** Where a failed forward step's cancellation reason is put (see STEP_FAILURE_REASON). */
const ABORT_PATH = '$.abort';
/** What RefundPayment did: `{refunded: boolean}`, false when nothing had been captured. */
const REFUND_PATH = '$.refund';
/** Passes what the refund did on to CancelOrder, and so to the order and its OrderCancelled event. */
const REFUNDED = JsonPath.objectAt(`${REFUND_PATH}.refunded`);

const stepIdentity = {
  orderId: JsonPath.stringAt('$.orderId'),
  correlationId: JsonPath.stringAt('$.correlationId'),
};

/**
 * Builds the states of one saga and remembers which functions they invoke. Every step is a
 * synchronous invocation whose payload is built from the saga's state and whose result is added
 * to it under `resultPath`, so every later step still sees the saga's input.
 */
class SagaStates {
  readonly invoked = new Set<IFunction>();
  /** The last resort: the order is marked for an operator (metric and alarm), and the execution fails with the error that got it there. */
  readonly flag: TaskStateBase;

  constructor(private readonly scope: Construct, flagOrder: IFunction) {
    // A caught error always has an Error, not always a Cause (a timeout may have none): a missing
    // path would fail the state itself, so the cause is the whole caught error, as text.
    this.flag = this.task(
      'FlagOrder',
      flagOrder,
      { error: JsonPath.stringAt(`${FAILURE_PATH}.Error`), cause: JsonPath.jsonToString(JsonPath.objectAt(FAILURE_PATH)) },
      '$.flag',
    ).addRetry(COMPENSATION_RETRY);
    this.flag.next(
      new Fail(scope, 'NeedsOperator', {
        errorPath: `${FAILURE_PATH}.Error`,
        cause: 'A saga step kept failing; the order is flagged for an operator (the execution history has the error)',
      }),
    );
  }

  /**
   * A step of the main line: transient failures are retried (by default), its typed business
   * errors are left to Catch, and so is any other failure once the retries are spent.
   */
  forward(name: string, fn: IFunction, fields: Record<string, unknown>, resultPath: string, retry = TRANSIENT_RETRY): TaskStateBase {
    return this.task(name, fn, fields, resultPath).addRetry(retry);
  }

  /** A step that must eventually succeed: retried on any error, then the order is flagged. */
  compensation(name: string, fn: IFunction, fields: Record<string, unknown>, resultPath: string): TaskStateBase {
    return this.task(name, fn, fields, resultPath)
      .addRetry(COMPENSATION_RETRY)
      .addCatch(this.flag, { errors: [Errors.ALL], resultPath: FAILURE_PATH });
  }

  private task(name: string, fn: IFunction, fields: Record<string, unknown>, resultPath: string): LambdaInvoke {
    this.invoked.add(fn);
    return new LambdaInvoke(this.scope, name, {
      lambdaFunction: fn,
      payloadResponseOnly: true,
      // Replaced by TRANSIENT_RETRY / COMPENSATION_RETRY, which also jitter.
      retryOnServiceExceptions: false,
      payload: TaskInput.fromObject({ ...stepIdentity, ...fields }),
      resultPath,
      taskTimeout: Timeout.duration(TASK_TIMEOUT),
    });
  }
}

/** States run in order: a saga's main line, or a compensation path (a Catch target starting at `first`). */
function chainOf(first: TaskStateBase, ...rest: IChainable[]): Chain {
  return rest.reduce<Chain>((chain, next) => chain.next(next), Chain.start(first));
}

/** How cdk-nag prints a resolved reference: `<LogicalId.Attr>` for Fn::GetAtt, the export name for Fn::ImportValue. */
function nagReference(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if (Array.isArray(node['Fn::GetAtt'])) return `<${(node['Fn::GetAtt'] as string[]).join('.')}>`;
  if (node['Fn::ImportValue'] !== undefined) return nagReference(node['Fn::ImportValue']);
  if (node.Ref !== undefined) return `<${nagReference(node.Ref)}>`;
  return JSON.stringify(value);
}

export interface SagaStateMachineProps {
  readonly stage: Stage;
  readonly alarmTopic: ITopic;
  readonly definition: IChainable;
  readonly comment: string;
  /** The functions the definition invokes. */
  readonly invokes: Iterable<IFunction>;
}

/**
 * A saga's state machine: Standard (exactly-once steps, a year of history, names refused twice),
 * traced, and an alarm on the first failed execution. Every event is logged (which state ran,
 * failed, was retried: what an operator needs to follow an order), in prod without its execution
 * data, which holds payment tokens and addresses (the execution history keeps it, behind IAM).
 */
export class SagaStateMachine extends Construct {
  readonly stateMachine: StateMachine;
  readonly failedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: SagaStateMachineProps) {
    super(scope, id);
    const logs = new LogGroup(this, 'Logs', { retention: props.stage.logRetention, removalPolicy: props.stage.removalPolicy });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(props.definition),
      stateMachineType: StateMachineType.STANDARD,
      comment: props.comment,
      tracingEnabled: true,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: !props.stage.prod },
    });
    this.failedAlarm = alarmOnFirst(this, 'ExecutionsFailed', {
      description:
        `${props.comment}: an execution failed, a step kept failing (the order was cancelled and everything undone, ` +
        'or, when a compensation kept failing too, flagged for an operator)',
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(1), statistic: 'Sum' }),
      topic: props.alarmTopic,
    });
    this.acknowledgeNagFindings([...props.invokes]);
  }

  private acknowledgeNagFindings(invokes: IFunction[]): void {
    const role = this.stateMachine.role;
    acknowledgeNagFinding(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Delivering execution logs needs logs:CreateLogDelivery and the other log-delivery actions, and tracing needs xray:PutTraceSegments ' +
        'and xray:PutTelemetryRecords: none of them supports resource-level permissions',
    );
    // CDK grants lambda:InvokeFunction on `<arn>` and `<arn>:*` (the function's versions and
    // aliases). The finding names the function's ARN as it resolves in this stack: an export
    // name for another stack's function, known only once references are resolved, hence a check
    // that runs at synthesis, after that.
    this.node.addValidation({
      validate: () => {
        for (const fn of invokes) {
          const arn = nagReference(Stack.of(this).resolve(fn.functionArn));
          acknowledgeNagFinding(
            role,
            `AwsSolutions-IAM5[Resource::${arn}:*]`,
            'The saga invokes its step functions unqualified; the `:*` resource (versions and aliases of that one function) is what CDK adds ' +
              'to every Lambda task grant, and it reaches no other function',
          );
        }
        return [];
      },
    });
  }
}

/**
 * The order saga (execution name = orderId, input = OrderSagaInput):
 *
 *   ReserveStock → ChargePayment → CommitStock → ConfirmOrder → Confirmed
 *   ReserveStock  ─OutOfStock→            RejectOrder(OUT_OF_STOCK) → Rejected
 *   ChargePayment ─PaymentDeclined→       ReleaseStock → CancelOrder(PAYMENT_DECLINED) → Cancelled
 *   ChargePayment ─PaymentUnavailable→    (after its retries) ReleaseStock → CancelOrder(PAYMENT_UNAVAILABLE) → Cancelled
 *   ConfirmOrder  ─CancellationRequested→ RefundPayment → ReturnStock → CancelOrder(CUSTOMER_REQUEST, refunded?) → Cancelled
 *   any of the four ─any other error→     (after its retries) <Step>Failed → RefundPayment → ReleaseStock → ReturnStock
 *                                         → CancelOrder(STEP_FAILURE_REASON[step], refunded?) → StepFailed
 *
 * The reservation is committed before the order is confirmed, so that by the time anyone can
 * cancel a CONFIRMED order (the cancellation saga returns committed stock) there is nothing
 * left to commit: the two sagas never race over one reservation.
 *
 * A forward step that fails for an unexpected reason (its Lambda killed by its timeout, a fault)
 * may have had its effect before it failed, and so may every step before it: all of them are
 * undone, each compensation a no-op where there is nothing to undo (no capture, no RESERVED or
 * COMMITTED reservation), and the order ends CANCELLED; the execution fails, so its alarm tells
 * someone a step keeps failing. Only a compensation that keeps failing ends in FlagOrder →
 * NeedsOperator: never a silently half-done order, never one stuck PENDING.
 */
export class OrderSaga extends Construct {
  readonly stateMachine: StateMachine;
  readonly failedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: SagaProps) {
    super(scope, id);
    const { inventory, payments, orders } = props;
    const states = new SagaStates(this, orders.flagOrder);
    const confirmed = new Succeed(this, 'Confirmed');
    const rejected = new Succeed(this, 'Rejected');
    const cancelled = new Succeed(this, 'Cancelled');
    const release = (suffix: string, reason: string) =>
      states.compensation(`ReleaseStock${suffix}`, inventory.releaseStock, { reason }, '$.release');
    const cancel = (suffix: string, reason: string, refunded: unknown) =>
      states.compensation(`CancelOrder${suffix}`, orders.recordCancellation, { to: 'CANCELLED', reason, refunded }, '$.cancellation');
    const refund = (name: string) => states.compensation(name, payments.refundPayment, {}, REFUND_PATH);

    const reserve = states.forward('ReserveStock', inventory.reserveStock, { items: JsonPath.listAt('$.items') }, '$.reservation');
    const charge = states
      .forward(
        'ChargePayment',
        payments.chargePayment,
        {
          customerId: JsonPath.stringAt('$.customerId'),
          amountCents: JsonPath.numberAt('$.totalCents'),
          currency: JsonPath.stringAt('$.currency'),
          // The only step that is handed the payment token.
          paymentToken: JsonPath.stringAt('$.paymentToken'),
        },
        '$.payment',
      )
      .addRetry(PAYMENT_UNAVAILABLE_RETRY);
    const commit = states.forward('CommitStock', inventory.commitStock, {}, '$.commit', COMPENSATION_RETRY);
    const confirm = states.forward('ConfirmOrder', orders.confirmOrder, { to: 'CONFIRMED' }, '$.confirmation');

    const reject = chainOf(
      states.compensation('RejectOrder', orders.rejectOrder, { to: 'REJECTED', reason: 'OUT_OF_STOCK' }, '$.rejection'),
      rejected,
    );
    const afterDecline = chainOf(release('PaymentDeclined', 'PAYMENT_DECLINED'), cancel('PaymentDeclined', 'PAYMENT_DECLINED', false), cancelled);
    const afterUnavailable = chainOf(
      release('PaymentUnavailable', 'PAYMENT_UNAVAILABLE'),
      cancel('PaymentUnavailable', 'PAYMENT_UNAVAILABLE', false),
      cancelled,
    );
    const afterCancellationRequest = chainOf(
      refund('RefundPayment'),
      states.compensation('ReturnStockCustomerRequest', inventory.returnStock, {}, '$.return'),
      cancel('CustomerRequest', 'CUSTOMER_REQUEST', REFUNDED),
      cancelled,
    );
    const afterStepFailure = this.afterStepFailure(states, props, refund);

    // Specific errors first: Step Functions takes the first Catch whose ErrorEquals matches.
    reserve.addCatch(reject, { errors: [SagaError.OutOfStock], resultPath: FAILURE_PATH });
    charge.addCatch(afterDecline, { errors: [SagaError.PaymentDeclined], resultPath: FAILURE_PATH });
    charge.addCatch(afterUnavailable, { errors: [SagaError.PaymentUnavailable], resultPath: FAILURE_PATH });
    confirm.addCatch(afterCancellationRequest, { errors: [SagaError.CancellationRequested], resultPath: FAILURE_PATH });
    const forward: [keyof typeof STEP_FAILURE_REASON, TaskStateBase][] = [
      ['ReserveStock', reserve], ['ChargePayment', charge], ['CommitStock', commit], ['ConfirmOrder', confirm],
    ];
    for (const [name, step] of forward) {
      const reason = new Pass(this, `${name}Failed`, {
        comment: `${name} kept failing: undo whatever the saga may have done, and cancel the order`,
        result: Result.fromObject({ reason: STEP_FAILURE_REASON[name] }),
        resultPath: ABORT_PATH,
      });
      step.addCatch(reason.next(afterStepFailure), { errors: [Errors.ALL], resultPath: FAILURE_PATH });
    }

    const saga = new SagaStateMachine(this, 'Machine', {
      stage: props.stage,
      alarmTopic: props.alarmTopic,
      definition: chainOf(reserve, charge, commit, confirm, confirmed),
      comment: 'Order saga: reserve stock, charge, commit stock, confirm; compensates on every failure',
      invokes: states.invoked,
    });
    this.stateMachine = saga.stateMachine;
    this.failedAlarm = saga.failedAlarm;
  }

  /**
   * Undoes everything a failed forward step and the steps before it may have done, whichever it
   * was: the refund, the release and the return each change nothing where there is nothing to
   * undo. Then the order is cancelled (the reason its <Step>Failed state set), and the execution
   * fails with the step's error.
   */
  private afterStepFailure(states: SagaStates, { inventory, orders }: SagaProps, refund: (name: string) => TaskStateBase): Chain {
    const reason = JsonPath.stringAt(`${ABORT_PATH}.reason`);
    return chainOf(
      refund('RefundPaymentAfterFailure'),
      states.compensation('ReleaseStockAfterFailure', inventory.releaseStock, { reason }, '$.release'),
      states.compensation('ReturnStockAfterFailure', inventory.returnStock, {}, '$.return'),
      states.compensation(
        'CancelOrderAfterFailure', orders.recordCancellation, { to: 'CANCELLED', reason, refunded: REFUNDED }, '$.cancellation',
      ),
      new Fail(this, 'StepFailed', {
        errorPath: `${FAILURE_PATH}.Error`,
        cause: 'A saga step kept failing; everything it may have done was undone and the order cancelled (the execution history has the error)',
      }),
    );
  }
}

/**
 * The cancellation saga of a CONFIRMED order whose shipment the cancel request has already
 * claimed (execution name `cancel-<orderId>`, input OrderCancellationInput): RefundPayment →
 * ReturnStock → CancelOrder(CUSTOMER_REQUEST, refunded: what RefundPayment did) → Cancelled;
 * each step retried on any error, then FlagOrder → NeedsOperator.
 */
export class CancellationSaga extends Construct {
  readonly stateMachine: StateMachine;
  readonly failedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: SagaProps) {
    super(scope, id);
    const { inventory, payments, orders } = props;
    const states = new SagaStates(this, orders.flagOrder);
    const definition = chainOf(
      states.compensation('RefundPayment', payments.refundPayment, {}, REFUND_PATH),
      states.compensation('ReturnStock', inventory.returnStock, {}, '$.return'),
      states.compensation(
        'CancelOrder', orders.recordCancellation, { to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', refunded: REFUNDED }, '$.cancellation',
      ),
      new Succeed(this, 'Cancelled'),
    );
    const saga = new SagaStateMachine(this, 'Machine', {
      stage: props.stage,
      alarmTopic: props.alarmTopic,
      definition,
      comment: 'Cancellation saga of a confirmed order: refund, return the stock, cancel',
      invokes: states.invoked,
    });
    this.stateMachine = saga.stateMachine;
    this.failedAlarm = saga.failedAlarm;
  }
}
