import type { Construct } from 'constructs';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import type { ServiceFunction } from '../platform/service-function';

/** The functions the order saga invokes directly (its ChargePayment and RefundPayment tasks). */
export interface PaymentsTasks {
  readonly chargePayment: ServiceFunction;
  readonly refundPayment: ServiceFunction;
}

/** Payments: one payment per order against the simulated provider, captured and refunded at most once. */
export class PaymentsStack extends ContextStack {
  readonly routeFunctions: Record<'getPayment', ServiceFunction>;
  readonly tasks: PaymentsTasks;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    // Every read is by order id: no index. A payment carries the event of each change that causes
    // one (settled, refunded) and the relay publishes it from the changed item: no outbox record.
    super(scope, id, props, { service: 'payments', publishes: true, relaysEventItemChanges: true });

    this.routeFunctions = {
      getPayment: this.route('getPayment').bindTable(this.table, 'read'),
    };
    this.tasks = {
      chargePayment: this.sagaTask('ChargePayment', 'charge-payment', 'Order saga: charge the payment of an order'),
      refundPayment: this.sagaTask('RefundPayment', 'refund-payment', 'Order saga: refund the payment of an order'),
    };
  }
}
