import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OutboxRelay } from '../platform/outbox-relay';
import type { Platform } from '../platform/platform-stack';
import { routeFunction } from '../platform/route-function';
import { ServiceFunction } from '../platform/service-function';
import { ServiceTable } from '../platform/service-table';

export interface PaymentsStackProps extends StackProps {
  readonly platform: Platform;
}

/** The functions the order saga invokes directly (its ChargePayment and RefundPayment tasks). */
export interface PaymentsSagaSteps {
  readonly chargePayment: ServiceFunction;
  readonly refundPayment: ServiceFunction;
}

/** Payments: one payment per order against the simulated provider, captured and refunded at most once. */
export class PaymentsStack extends Stack {
  readonly table: ServiceTable;
  readonly routeFunctions: Record<'getPayment', ServiceFunction>;
  readonly sagaSteps: PaymentsSagaSteps;

  constructor(scope: Construct, id: string, props: PaymentsStackProps) {
    super(scope, id, props);
    const { platform } = props;
    // Every read is by order id: no index.
    this.table = new ServiceTable(this, 'Table', { stage: platform.stage, stream: true });
    new OutboxRelay(this, 'Outbox', {
      stage: platform.stage, service: 'payments', table: this.table, bus: platform.bus, alarmTopic: platform.alarmTopic,
    });

    this.routeFunctions = {
      getPayment: routeFunction(this, 'getPayment', platform).bindTable(this.table, 'read'),
    };

    const sagaStep = (name: string, entry: string, description: string) =>
      new ServiceFunction(this, name, { stage: platform.stage, service: 'payments', entry, description }).bindTable(this.table, 'readWrite');
    this.sagaSteps = {
      chargePayment: sagaStep('ChargePayment', 'functions/payments/handlers/charge-payment.ts', 'Order saga: charge the payment of an order'),
      refundPayment: sagaStep('RefundPayment', 'functions/payments/handlers/refund-payment.ts', 'Order saga: refund the payment of an order'),
    };
  }
}
