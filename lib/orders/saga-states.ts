/** The building blocks of the orders sagas' definitions: retry policies, state paths, and the task states themselves. */
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Chain, Errors, Fail, JitterType, JsonPath, Pass, TaskInput, Timeout, type IChainable, type RetryProps, type TaskStateBase,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { SagaError, type FailedStep } from '../../functions/contracts/saga';

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

/** Every retry backs off exponentially, with full jitter, so that retries of many executions spread out. */
const BACKOFF = { backoffRate: 2, jitterStrategy: JitterType.FULL } as const;

/** Forward steps: transient failures only, never a business outcome such as OutOfStock or PaymentDeclined. */
export const TRANSIENT_RETRY: RetryProps = {
  errors: TRANSIENT_ERRORS,
  interval: Duration.seconds(1),
  maxAttempts: 3,
  maxDelay: Duration.seconds(10),
  ...BACKOFF,
};

/** The payment provider's transient failures: a few attempts, then the order is cancelled. */
export const PAYMENT_UNAVAILABLE_RETRY: RetryProps = {
  errors: [SagaError.PaymentUnavailable],
  interval: Duration.seconds(1),
  maxAttempts: 3,
  ...BACKOFF,
};

/**
 * Compensations (and CommitStock, the payment being taken) must not give up easily: any error is
 * retried six times, over up to a minute and a half, before the order is flagged (CommitStock's
 * failure is compensated instead).
 */
export const COMPENSATION_RETRY: RetryProps = {
  errors: [Errors.ALL],
  interval: Duration.seconds(2),
  maxAttempts: 6,
  maxDelay: Duration.seconds(30),
  ...BACKOFF,
};

/** Where a caught error is put; the rest of the saga's state (orderId, items...) stays as it was. */
export const FAILURE_PATH = '$.failure';
/** Where a failed forward step's cancellation reason is put (see STEP_FAILURE_REASON). */
export const ABORT_PATH = '$.abort';
/** Which compensation kept failing (FailedStep), set on the way to FlagOrder, which records it on the order. */
export const FAILED_STEP_PATH = '$.failedStep';
/** What RefundPayment did: `{refunded: boolean}`, false when nothing had been captured. */
export const REFUND_PATH = '$.refund';
/** Passes what the refund did on to CancelOrder, and so to the order and its OrderCancelled event. */
export const REFUNDED = JsonPath.objectAt(`${REFUND_PATH}.refunded`);

const stepIdentity = {
  orderId: JsonPath.stringAt('$.orderId'),
  correlationId: JsonPath.stringAt('$.correlationId'),
};

/**
 * Builds the states of one saga and remembers which functions they invoke. Every step is a
 * synchronous invocation whose payload is built from the saga's state and whose result is added
 * to it under `resultPath`, so every later step still sees the saga's input.
 */
export class SagaStates {
  readonly invoked = new Set<IFunction>();
  /** The last resort: the order is marked for an operator (metric and alarm), and the execution fails with the error that got it there. */
  readonly flag: TaskStateBase;

  constructor(private readonly scope: Construct, flagOrder: IFunction, private readonly saga: FailedStep['saga']) {
    // A caught error always has an Error, not always a Cause (a timeout may have none): a missing
    // path would fail the state itself, so the cause is the whole caught error, as text.
    this.flag = this.task(
      'FlagOrder',
      flagOrder,
      {
        error: JsonPath.stringAt(`${FAILURE_PATH}.Error`),
        cause: JsonPath.jsonToString(JsonPath.objectAt(FAILURE_PATH)),
        failedStep: JsonPath.objectAt(FAILED_STEP_PATH),
      },
      '$.flag',
    ).addRetry(COMPENSATION_RETRY);
    this.flag.next(
      new Fail(scope, 'NeedsOperator', {
        errorPath: `${FAILURE_PATH}.Error`,
        cause: 'A saga task kept failing; the order is flagged for an operator (the execution history has the error)',
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

  /**
   * A step that must eventually succeed: retried on any error, then the order is flagged, with
   * which step it was (`<name>KeptFailing` records it: FlagOrder is shared, and an Express
   * execution keeps no history to tell). `recorded`: more of the saga's state the retry needs to
   * run the path again (FailedStep's fields).
   */
  compensation(
    name: string, fn: IFunction, fields: Record<string, unknown>, resultPath: string, recorded: Partial<Record<keyof FailedStep, unknown>> = {},
  ): TaskStateBase {
    const failedStep: Partial<Record<keyof FailedStep, unknown>> = { saga: this.saga, state: name, ...recorded };
    const keptFailing = new Pass(this.scope, `${name}KeptFailing`, {
      comment: `${name} kept failing: record which step, for the operator's retry`,
      parameters: failedStep,
      resultPath: FAILED_STEP_PATH,
    }).next(this.flag);
    return this.task(name, fn, fields, resultPath)
      .addRetry(COMPENSATION_RETRY)
      .addCatch(keptFailing, { errors: [Errors.ALL], resultPath: FAILURE_PATH });
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
export function chainOf(first: TaskStateBase, ...rest: IChainable[]): Chain {
  return rest.reduce<Chain>((chain, next) => chain.next(next), Chain.start(first));
}
