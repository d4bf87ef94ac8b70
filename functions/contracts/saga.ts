import * as z from 'zod';
import { OrderLine } from './events/inventory';
import { CancellationReason, RejectionReason } from './events/orders';

/**
 * The order saga's steps: what each task function takes and returns, and the typed errors the
 * state machine's Retry and Catch select on. A task function fails with `errorType` = one of
 * these names (the thrown error's `name`); anything else is a fault.
 */
export const SagaError = {
  /** Not enough stock for at least one line: the order is rejected. */
  OutOfStock: 'OutOfStock',
  /** The provider declined the payment: final, not retried. */
  PaymentDeclined: 'PaymentDeclined',
  /** The provider could not be reached or failed transiently: retried with backoff. */
  PaymentUnavailable: 'PaymentUnavailable',
  /** The customer asked to cancel while the saga was running: compensate, then cancel. */
  CancellationRequested: 'CancellationRequested',
  /** A transient infrastructure failure worth retrying (throttling, a lost race). */
  Transient: 'TransientError',
} as const;

/**
 * Why the order saga cancels an order when a forward step fails for any reason other than its
 * business outcomes (its Lambda timed out, a fault), once the step's retries are spent: the saga
 * then undoes everything that may have happened, the failed step's own effect included, and
 * cancels the order with this reason. A charge that cannot be made is the provider being
 * unreachable as far as the customer is concerned; any other step is our own failure.
 */
export const STEP_FAILURE_REASON = {
  ReserveStock: 'PROCESSING_FAILED',
  ChargePayment: 'PAYMENT_UNAVAILABLE',
  CommitStock: 'PROCESSING_FAILED',
  ConfirmOrder: 'PROCESSING_FAILED',
} as const satisfies Record<string, z.infer<typeof CancellationReason>>;

const Step = { orderId: z.string(), correlationId: z.string() };

/** The saga's input, built from the stored order by the consumer of OrderPlaced; execution name = orderId. */
export const OrderSagaInput = z.object({
  ...Step,
  customerId: z.string(),
  items: z.array(OrderLine.extend({ unitPriceCents: z.number().int().positive() })).min(1),
  totalCents: z.number().int().positive(),
  currency: z.string().length(3),
  paymentToken: z.string(),
});
export type OrderSagaInput = z.infer<typeof OrderSagaInput>;

/** The cancellation saga of a CONFIRMED order; execution name = `cancel-<orderId>`. */
export const OrderCancellationInput = z.object({ ...Step });

export const ReserveStockInput = z.object({ ...Step, items: z.array(OrderLine).min(1) });
export const ReleaseStockInput = z.object({ ...Step, reason: z.string() });
export const CommitStockInput = z.object({ ...Step });
/** Puts the committed units of a cancelled, confirmed order back on the shelf. */
export const ReturnStockInput = z.object({ ...Step });
export const StockStepResult = z.object({ orderId: z.string(), outcome: z.string() });

export const ChargePaymentInput = z.object({
  ...Step,
  customerId: z.string(),
  amountCents: z.number().int().positive(),
  currency: z.string().length(3),
  paymentToken: z.string(),
});
export const ChargePaymentResult = z.object({ orderId: z.string(), paymentId: z.string(), status: z.literal('CAPTURED') });
export const RefundPaymentInput = z.object({ ...Step });
export const RefundPaymentResult = z.object({ orderId: z.string(), refunded: z.boolean() });

/** Moves an order to its next status, from the saga. */
export const OrderTransitionInput = z.discriminatedUnion('to', [
  z.object({ ...Step, to: z.literal('CONFIRMED') }),
  z.object({ ...Step, to: z.literal('REJECTED'), reason: RejectionReason }),
  z.object({ ...Step, to: z.literal('CANCELLED'), reason: CancellationReason, refunded: z.boolean() }),
]);
export type OrderTransitionInput = z.infer<typeof OrderTransitionInput>;

/**
 * Which compensation kept failing, in which saga: what `ops orders retry` needs to run that
 * compensation path again from the order alone (an EXPRESS execution keeps no history).
 */
export const FailedStep = z.object({
  saga: z.enum(['order', 'cancellation']),
  /** The state's name in that saga's definition. */
  state: z.string(),
  /** On the order saga's after-failure path: the cancellation reason its <Step>Failed state chose ($.abort.reason). */
  abortReason: z.string().optional(),
});
export type FailedStep = z.infer<typeof FailedStep>;

/** Marks an order whose compensation kept failing, for an operator (failedStep is absent from executions started before it existed). */
export const FlagOrderInput = z.object({ ...Step, error: z.string().optional(), cause: z.string().optional(), failedStep: FailedStep.optional() });
