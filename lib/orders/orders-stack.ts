import { CfnOutput, Duration } from 'aws-cdk-lib';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ProductArchived, ProductCreated, ProductUpdated } from '../../functions/contracts/events/catalog';
import { OrderPlaced } from '../../functions/contracts/events/orders';
import { ShipmentDelivered, ShipmentDispatched } from '../../functions/contracts/events/shipping';
import { DEFAULT_SNAPSHOT_EVERY, ORDERS_ENV, ORDERS_NEEDING_OPERATOR_METRIC, snapshotEvery } from '../../functions/orders/orders-config';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import { StackMonitoring } from '../platform/monitoring';
import { OPS_OUTPUT } from '../platform/ops-outputs';
import { invokedAll, type ServiceFunction } from '../platform/service-function';
import { CancellationSaga, OrderSaga, type InventoryTasks, type OrderTasks, type PaymentTasks } from './order-saga';

export interface OrdersStackProps extends ContextStackProps {
  /** Inventory's saga tasks, invoked by the sagas only. */
  readonly inventoryTasks: InventoryTasks;
  /** Payments' saga tasks, invoked by the sagas only. */
  readonly paymentTasks: PaymentTasks;
  /** Shipping's claim of a shipment for a cancellation, invoked by the cancel route only. */
  readonly shipmentClaim: IFunction;
}

type OrdersRoute = 'placeOrder' | 'getOrder' | 'listOrders' | 'cancelOrder';

/** Orders: placing, reading and cancelling orders, the order saga, its copy of the catalog, and following the shipment. */
export class OrdersStack extends ContextStack {
  readonly routeFunctions: Record<OrdersRoute, ServiceFunction>;
  /** The sagas' tasks on the order itself. */
  readonly tasks: Record<keyof OrderTasks, ServiceFunction>;
  readonly orderSaga: StateMachine;
  readonly cancellationSaga: StateMachine;
  /** The consumer of OrderPlaced that starts the order saga: the only function allowed to. */
  readonly sagaStarter: ServiceFunction;
  /**
   * Orders per minute by outcome, for the dashboards: placed is order sagas started; confirmed,
   * rejected and cancelled the invocations of the tasks that make an order so (a retried task counts twice).
   */
  readonly orderFlow: IMetric[];
  /** The order saga's duration, p50 and p99. */
  readonly sagaDuration: IMetric[];

  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    // gsi1: a customer's orders by creation time. Sparse: only order states carry its keys.
    // Its event items (EVENT#<seq>) are their own outbox records: no copy (see dynamo-order-store.ts).
    super(scope, id, props, { service: 'orders', publishes: true, relaysEventItems: true, indexes: ['gsi1'] });
    const { platform } = this;

    this.tasks = {
      confirmOrder: this.sagaTask('ConfirmOrder', 'confirm-order', 'Order saga task: PENDING to CONFIRMED'),
      rejectOrder: this.sagaTask('RejectOrder', 'reject-order', 'Order saga task: PENDING to REJECTED'),
      // The construct keeps its first id: a new one would replace the function and its log group.
      cancelOrder: this.sagaTask('RecordCancellation', 'cancel-order-task', 'Order saga task: PENDING or CONFIRMED to CANCELLED'),
      flagOrder: this.sagaTask('FlagOrder', 'flag-order', 'Order saga task: flag an order for an operator'),
    };
    const sagaProps = {
      stage: platform.stage,
      alarmTopic: platform.alarmTopic,
      // Their `live` aliases where canaries deploy them (see ServiceFunction).
      inventory: invokedAll(props.inventoryTasks),
      payments: invokedAll(props.paymentTasks),
      orders: invokedAll(this.tasks),
    };
    this.orderSaga = new OrderSaga(this, 'OrderSaga', sagaProps).stateMachine;
    this.cancellationSaga = new CancellationSaga(this, 'CancellationSaga', sagaProps).stateMachine;

    this.routeFunctions = {
      // Reads the product copies in one BatchGetItem. Starts nothing: the saga starts from OrderPlaced.
      placeOrder: this.route('placeOrder').bindTable(this.table, 'readWrite', { batchGet: true }),
      getOrder: this.route('getOrder').bindTable(this.table, 'read'),
      // Reads the events of a whole page of orders in one BatchGetItem.
      listOrders: this.route('listOrders').bindTable(this.table, 'read', { batchGet: true }),
      cancelOrder: this.route('cancelOrder')
        .bindTable(this.table, 'readWrite')
        .bindStateMachine(this.cancellationSaga, ORDERS_ENV.cancellationSagaArn)
        .bindFunction(props.shipmentClaim, ORDERS_ENV.claimShipmentFunction),
    };

    // The saga starts from the order's OrderPlaced outbox event, so every stored order gets one.
    this.sagaStarter = this.subscribe('PlacedOrders', [OrderPlaced], {
      handler: 'on-order-placed',
      description: 'OrderPlaced events: starts the order saga of the stored order (execution name = orderId)',
      grant: (starter) => starter.bindStateMachine(this.orderSaga, ORDERS_ENV.orderSagaArn),
    }).consumer;
    this.subscribe('CatalogEvents', [ProductCreated, ProductUpdated, ProductArchived], {
      handler: 'on-catalog-event',
      description: "Keeps the orders context's copy of the catalog current",
    });
    const shipmentEvents = this.subscribe('ShipmentEvents', [ShipmentDispatched, ShipmentDelivered], {
      handler: 'on-shipment-event',
      description: 'ShipmentDispatched and ShipmentDelivered events: the order becomes SHIPPED, then DELIVERED',
    }).consumer;

    // The functions that append an order's events write its snapshots too (see dynamo-order-store.ts).
    const every = orderSnapshotEvery(this.node.tryGetContext('orderSnapshotEvery'));
    const { confirmOrder, rejectOrder, cancelOrder } = this.tasks;
    for (const writer of [this.routeFunctions.placeOrder, confirmOrder, rejectOrder, cancelOrder, this.sagaStarter, shipmentEvents]) {
      writer.addEnvironment(ORDERS_ENV.snapshotEvery, String(every));
    }

    // For the operator CLI: flagged orders, their retry, the read view's rebuild.
    new CfnOutput(this, OPS_OUTPUT.ordersTableName, { value: this.table.tableName });
    new CfnOutput(this, OPS_OUTPUT.orderSagaArn, { value: this.orderSaga.stateMachineArn });
    new CfnOutput(this, OPS_OUTPUT.cancellationSagaArn, { value: this.cancellationSaga.stateMachineArn });

    const perMinute = { period: Duration.minutes(1), statistic: 'Sum' };
    this.orderFlow = [
      this.orderSaga.metricStarted({ ...perMinute, label: 'placed' }),
      this.tasks.confirmOrder.metricInvocations({ ...perMinute, label: 'confirmed' }),
      this.tasks.rejectOrder.metricInvocations({ ...perMinute, label: 'rejected' }),
      this.tasks.cancelOrder.metricInvocations({ ...perMinute, label: 'cancelled' }),
    ];
    this.sagaDuration = ['p50', 'p99'].map((statistic) => this.orderSaga.metricTime({ period: Duration.minutes(1), statistic, label: statistic }));
    const monitoring = StackMonitoring.of(this)!;
    monitoring.plot({ key: 'orderFlow', title: 'Orders per minute' }, ...this.orderFlow);
    monitoring.watchStateMachine(this.orderSaga, 'OrderSaga');
    monitoring.watchStateMachine(this.cancellationSaga, 'CancellationSaga');

    this.alarmOnCount(
      'OrdersNeedingOperator',
      ORDERS_NEEDING_OPERATOR_METRIC,
      'An order saga gave up on a compensation: the order is flagged (needsOperator) for an operator',
    );
  }
}

/** `-c orderSnapshotEvery=N`: every how many events of an order a snapshot is written. */
export function orderSnapshotEvery(context: unknown): number {
  if (context === undefined) return DEFAULT_SNAPSHOT_EVERY;
  const parsed = snapshotEvery.safeParse(context);
  if (!parsed.success) throw new Error(`orderSnapshotEvery must be a whole number of events, at least 1 (-c orderSnapshotEvery=10), not ${JSON.stringify(context)}`);
  return parsed.data;
}
