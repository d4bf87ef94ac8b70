import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ProductCreated } from '../../functions/contracts/events/catalog';
import { EventSubscription } from '../platform/event-subscription';
import { OutboxRelay } from '../platform/outbox-relay';
import type { Platform } from '../platform/platform-stack';
import { routeFunction } from '../platform/route-function';
import { ServiceFunction } from '../platform/service-function';
import { ServiceTable } from '../platform/service-table';

export interface InventoryStackProps extends StackProps {
  readonly platform: Platform;
}

type InventoryRoute = 'getStock' | 'restock';
type SagaStep = 'reserveStock' | 'releaseStock' | 'commitStock' | 'returnStock';

/** Stock: a record per product, and the reservations of the order saga. */
export class InventoryStack extends Stack {
  readonly table: ServiceTable;
  readonly routeFunctions: Record<InventoryRoute, ServiceFunction>;
  /** The order saga's stock tasks, invoked directly by the orders state machine. */
  readonly sagaSteps: Record<SagaStep, ServiceFunction>;

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id, props);
    const { platform } = props;
    this.table = new ServiceTable(this, 'Table', { stage: platform.stage, stream: true });
    new OutboxRelay(this, 'Outbox', {
      stage: platform.stage, service: 'inventory', table: this.table, bus: platform.bus, alarmTopic: platform.alarmTopic,
    });

    this.routeFunctions = {
      getStock: routeFunction(this, 'getStock', platform).bindTable(this.table, 'read'),
      restock: routeFunction(this, 'restock', platform).bindTable(this.table, 'readWrite'),
    };

    const sagaStep = (id: string, handler: string, description: string) =>
      new ServiceFunction(this, id, {
        stage: platform.stage,
        service: 'inventory',
        entry: `functions/inventory/handlers/${handler}.ts`,
        description,
        // A few reads and one transaction: seconds at worst. The state machine retries a timed-out
        // attempt, which the reservation record makes harmless.
        timeout: Duration.seconds(10),
      }).bindTable(this.table, 'readWrite');
    this.sagaSteps = {
      reserveStock: sagaStep('ReserveStock', 'reserve-stock', 'Order saga: reserve the stock of an order, all lines or none'),
      releaseStock: sagaStep('ReleaseStock', 'release-stock', "Order saga: put an unconfirmed order's reserved units back"),
      commitStock: sagaStep('CommitStock', 'commit-stock', "Order saga: a confirmed order's reserved units are sold"),
      returnStock: sagaStep('ReturnStock', 'return-stock', "Order saga: put a cancelled confirmed order's units back"),
    };

    const onProductCreated = new ServiceFunction(this, 'OnProductCreated', {
      stage: platform.stage,
      service: 'inventory',
      entry: 'functions/inventory/handlers/on-product-created.ts',
      description: 'ProductCreated events: an empty stock record per new product',
    }).bindTable(this.table, 'readWrite');
    new EventSubscription(this, 'ProductCreatedSubscription', {
      bus: platform.bus, events: [ProductCreated], consumer: onProductCreated, alarmTopic: platform.alarmTopic,
    });
  }
}
