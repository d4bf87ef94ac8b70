import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { ProductArchived, ProductCreated, ProductUpdated } from '../../functions/contracts/events/catalog';
import { OrderPlaced } from '../../functions/contracts/events/orders';
import { ShipmentDelivered, ShipmentDispatched } from '../../functions/contracts/events/shipping';
import { ORDERS_ENV, ORDERS_NEEDING_OPERATOR_METRIC } from '../../functions/orders/orders-config';
import { METRICS_NAMESPACE } from '../../functions/shared/environment';
import { EventSubscription } from '../platform/event-subscription';
import { OutboxRelay } from '../platform/outbox-relay';
import type { Platform } from '../platform/platform-stack';
import { routeFunction } from '../platform/route-function';
import { ServiceFunction } from '../platform/service-function';
import { ServiceTable } from '../platform/service-table';
import { CancellationSaga, OrderSaga, type InventorySteps, type OrderSteps, type PaymentSteps } from './order-saga';

export interface OrdersStackProps extends StackProps {
  readonly platform: Platform;
  /** Inventory's saga step functions, invoked by the sagas only. */
  readonly inventorySteps: InventorySteps;
  /** Payments' saga step functions, invoked by the sagas only. */
  readonly paymentSteps: PaymentSteps;
  /** Shipping's claim of a shipment for a cancellation, invoked by the cancel route only. */
  readonly shipmentClaim: IFunction;
}

type OrdersRoute = 'placeOrder' | 'getOrder' | 'listOrders' | 'cancelOrder';

const SERVICE = 'orders';

/** Orders: placing, reading and cancelling orders, the order saga, its copy of the catalog, and following the shipment. */
export class OrdersStack extends Stack {
  readonly table: ServiceTable;
  readonly routeFunctions: Record<OrdersRoute, ServiceFunction>;
  readonly sagaSteps: Record<keyof OrderSteps, ServiceFunction>;
  readonly orderSaga: StateMachine;
  readonly cancellationSaga: StateMachine;
  /** The consumer of OrderPlaced that starts the order saga: the only function allowed to. */
  readonly sagaStarter: ServiceFunction;

  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    super(scope, id, props);
    const { platform } = props;
    // gsi1: a customer's orders by creation time. Sparse: only order states carry its keys.
    this.table = new ServiceTable(this, 'Table', { stage: platform.stage, stream: true, indexes: ['gsi1'] });
    new OutboxRelay(this, 'Outbox', {
      stage: platform.stage, service: SERVICE, table: this.table, bus: platform.bus, alarmTopic: platform.alarmTopic,
    });

    const sagaStep = (id: string, file: string, description: string) =>
      new ServiceFunction(this, id, {
        stage: platform.stage,
        service: SERVICE,
        entry: `functions/orders/handlers/${file}.ts`,
        description,
      }).bindTable(this.table, 'readWrite');
    this.sagaSteps = {
      confirmOrder: sagaStep('ConfirmOrder', 'confirm-order', 'Order saga step: PENDING to CONFIRMED'),
      rejectOrder: sagaStep('RejectOrder', 'reject-order', 'Order saga step: PENDING to REJECTED'),
      recordCancellation: sagaStep('RecordCancellation', 'record-cancellation', 'Order saga step: PENDING or CONFIRMED to CANCELLED'),
      flagOrder: sagaStep('FlagOrder', 'flag-order', 'Order saga step: flag an order for an operator'),
    };

    const sagaProps = {
      stage: platform.stage,
      alarmTopic: platform.alarmTopic,
      inventory: props.inventorySteps,
      payments: props.paymentSteps,
      orders: this.sagaSteps,
    };
    this.orderSaga = new OrderSaga(this, 'OrderSaga', sagaProps).stateMachine;
    this.cancellationSaga = new CancellationSaga(this, 'CancellationSaga', sagaProps).stateMachine;

    this.routeFunctions = {
      // Reads the product copies in one BatchGetItem. Starts nothing: the saga starts from OrderPlaced.
      placeOrder: routeFunction(this, 'placeOrder', platform).bindTable(this.table, 'readWrite', { batchGet: true }),
      getOrder: routeFunction(this, 'getOrder', platform).bindTable(this.table, 'read'),
      // Reads the events of a whole page of orders in one BatchGetItem.
      listOrders: routeFunction(this, 'listOrders', platform).bindTable(this.table, 'read', { batchGet: true }),
      cancelOrder: routeFunction(this, 'cancelOrder', platform)
        .bindTable(this.table, 'readWrite')
        .bindStateMachine(this.cancellationSaga, ORDERS_ENV.cancellationSagaArn)
        .bindFunction(props.shipmentClaim, ORDERS_ENV.claimShipmentFunction),
    };

    // The saga starts from the order's OrderPlaced outbox event, so every stored order gets one.
    this.sagaStarter = new ServiceFunction(this, 'OnOrderPlaced', {
      stage: platform.stage,
      service: SERVICE,
      entry: 'functions/orders/handlers/on-order-placed.ts',
      description: 'OrderPlaced events: starts the order saga of the stored order (execution name = orderId)',
    })
      .bindTable(this.table, 'readWrite')
      .bindStateMachine(this.orderSaga, ORDERS_ENV.orderSagaArn);
    new EventSubscription(this, 'PlacedOrders', {
      bus: platform.bus,
      events: [OrderPlaced],
      consumer: this.sagaStarter,
      alarmTopic: platform.alarmTopic,
    });

    new EventSubscription(this, 'CatalogEvents', {
      bus: platform.bus,
      events: [ProductCreated, ProductUpdated, ProductArchived],
      consumer: new ServiceFunction(this, 'OnCatalogEvent', {
        stage: platform.stage,
        service: SERVICE,
        entry: 'functions/orders/handlers/on-catalog-event.ts',
        description: "Keeps the orders context's copy of the catalog current",
      }).bindTable(this.table, 'readWrite'),
      alarmTopic: platform.alarmTopic,
    });

    new EventSubscription(this, 'ShipmentEvents', {
      bus: platform.bus,
      events: [ShipmentDispatched, ShipmentDelivered],
      consumer: new ServiceFunction(this, 'OnShipmentEvent', {
        stage: platform.stage,
        service: SERVICE,
        entry: 'functions/orders/handlers/on-shipment-event.ts',
        description: 'ShipmentDispatched and ShipmentDelivered events: the order becomes SHIPPED, then DELIVERED',
      }).bindTable(this.table, 'readWrite'),
      alarmTopic: platform.alarmTopic,
    });

    const needingOperator = new Alarm(this, 'OrdersNeedingOperator', {
      alarmDescription: 'An order saga gave up on a compensation: the order is flagged (needsOperator) for an operator',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: ORDERS_NEEDING_OPERATOR_METRIC,
        dimensionsMap: { service: SERVICE },
        period: Duration.minutes(1),
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    needingOperator.addAlarmAction(new SnsAction(platform.alarmTopic));
  }
}
