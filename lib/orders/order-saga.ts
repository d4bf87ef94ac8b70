import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import {
  Errors, Fail, JsonPath, Pass, Result, type Chain, type IChainable, type StateMachine, type TaskStateBase,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SagaError, STEP_FAILURE_REASON, type FailedStep } from '../../functions/contracts/saga';
import type { SagaWorkflow, Stage } from '../platform/stage';
import { SagaStateMachine } from './saga-state-machine';
import { ABORT_PATH, chainOf, COMPENSATION_RETRY, FAILURE_PATH, PAYMENT_UNAVAILABLE_RETRY, REFUND_PATH, REFUNDED, SagaStates } from './saga-states';

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
  readonly cancelOrder: IFunction;
  readonly flagOrder: IFunction;
}

export interface SagaProps {
  readonly stage: Stage;
  readonly alarmTopic: ITopic;
  readonly inventory: InventoryTasks;
  readonly payments: PaymentTasks;
  readonly orders: OrderTasks;
}

/**
 * One saga of the orders context: the states `define` builds, in an alarmed state machine
 * (SagaStateMachine) that may invoke exactly the functions those states invoke.
 */
abstract class Saga extends Construct {
  readonly stateMachine: StateMachine;
  readonly failedAlarm: Alarm;

  protected constructor(scope: Construct, id: string, props: SagaProps, comment: string, workflow: SagaWorkflow, kind: FailedStep['saga']) {
    super(scope, id);
    const states = new SagaStates(this, props.orders.flagOrder, kind);
    const saga = new SagaStateMachine(this, 'Machine', {
      stage: props.stage,
      alarmTopic: props.alarmTopic,
      definition: this.define(states, props),
      comment,
      workflow,
      invokes: states.invoked,
    });
    this.stateMachine = saga.stateMachine;
    this.failedAlarm = saga.failedAlarm;
  }

  /** The saga's definition, from its first state. */
  protected abstract define(states: SagaStates, props: SagaProps): IChainable;
}

/**
 * The order saga (execution name = orderId, input = OrderSagaInput), Standard or Express as the
 * stage says (`-c sagaWorkflow`); each path ends on its last task, with no state that only ends:
 *
 *   ReserveStock → ChargePayment → CommitStock → ConfirmOrder
 *   ReserveStock  ─OutOfStock→            RejectOrder(OUT_OF_STOCK)
 *   ChargePayment ─PaymentDeclined→       ReleaseStock → CancelOrder(PAYMENT_DECLINED)
 *   ChargePayment ─PaymentUnavailable→    (after its retries) ReleaseStock → CancelOrder(PAYMENT_UNAVAILABLE)
 *   ConfirmOrder  ─CancellationRequested→ RefundPayment → ReturnStock → CancelOrder(CUSTOMER_REQUEST, refunded?)
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
export class OrderSaga extends Saga {
  constructor(scope: Construct, id: string, props: SagaProps) {
    super(scope, id, props, 'Order saga: reserve stock, charge, commit stock, confirm; compensates on every failure', props.stage.sagaWorkflow, 'order');
  }

  protected define(states: SagaStates, props: SagaProps): IChainable {
    const { inventory, payments, orders } = props;
    const release = (suffix: string, reason: string) =>
      states.compensation(`ReleaseStock${suffix}`, inventory.releaseStock, { reason }, '$.release');
    const cancel = (suffix: string, reason: string, refunded: unknown) =>
      states.compensation(`CancelOrder${suffix}`, orders.cancelOrder, { to: 'CANCELLED', reason, refunded }, '$.cancellation');

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

    const reject = states.compensation('RejectOrder', orders.rejectOrder, { to: 'REJECTED', reason: 'OUT_OF_STOCK' }, '$.rejection');
    const afterDecline = chainOf(release('PaymentDeclined', 'PAYMENT_DECLINED'), cancel('PaymentDeclined', 'PAYMENT_DECLINED', false));
    const afterUnavailable = chainOf(
      release('PaymentUnavailable', 'PAYMENT_UNAVAILABLE'),
      cancel('PaymentUnavailable', 'PAYMENT_UNAVAILABLE', false),
    );
    const afterCancellationRequest = chainOf(
      states.compensation('RefundPayment', payments.refundPayment, {}, REFUND_PATH),
      states.compensation('ReturnStockCustomerRequest', inventory.returnStock, {}, '$.return'),
      cancel('CustomerRequest', 'CUSTOMER_REQUEST', REFUNDED),
    );
    const afterStepFailure = this.afterStepFailure(states, props);

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

    return chainOf(reserve, charge, commit, confirm);
  }

  /**
   * Undoes everything a failed forward step and the steps before it may have done, whichever it
   * was: the refund, the release and the return each change nothing where there is nothing to
   * undo. Then the order is cancelled (the reason its <Step>Failed state set), and the execution
   * fails with the step's error.
   */
  private afterStepFailure(states: SagaStates, { inventory, payments, orders }: SagaProps): Chain {
    const reason = JsonPath.stringAt(`${ABORT_PATH}.reason`);
    // Which forward step failed is known only from here: the flag keeps its reason for the retry.
    const recorded = { abortReason: reason };
    return chainOf(
      states.compensation('RefundPaymentAfterFailure', payments.refundPayment, {}, REFUND_PATH, recorded),
      states.compensation('ReleaseStockAfterFailure', inventory.releaseStock, { reason }, '$.release', recorded),
      states.compensation('ReturnStockAfterFailure', inventory.returnStock, {}, '$.return', recorded),
      states.compensation(
        'CancelOrderAfterFailure', orders.cancelOrder, { to: 'CANCELLED', reason, refunded: REFUNDED }, '$.cancellation', recorded,
      ),
      new Fail(this, 'StepFailed', {
        errorPath: `${FAILURE_PATH}.Error`,
        cause: 'A saga task kept failing; everything it may have done was undone and the order cancelled (the execution history has the error)',
      }),
    );
  }
}

/**
 * The cancellation saga of a CONFIRMED order whose shipment the cancel request has already
 * claimed (execution name `cancel-<orderId>`, input OrderCancellationInput): RefundPayment →
 * ReturnStock → CancelOrder(CUSTOMER_REQUEST, refunded: what RefundPayment did); each step
 * retried on any error, then FlagOrder → NeedsOperator. Always Standard: it runs for the few
 * orders cancelled after confirmation, where its name's de-duplication and its history are worth
 * more than the cost.
 */
export class CancellationSaga extends Saga {
  constructor(scope: Construct, id: string, props: SagaProps) {
    super(scope, id, props, 'Cancellation saga of a confirmed order: refund, return the stock, cancel', 'STANDARD', 'cancellation');
  }

  protected define(states: SagaStates, { inventory, payments, orders }: SagaProps): IChainable {
    return chainOf(
      states.compensation('RefundPayment', payments.refundPayment, {}, REFUND_PATH),
      states.compensation('ReturnStock', inventory.returnStock, {}, '$.return'),
      states.compensation(
        'CancelOrder', orders.cancelOrder, { to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', refunded: REFUNDED }, '$.cancellation',
      ),
    );
  }
}
