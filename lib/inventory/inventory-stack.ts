import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ProductCreated } from '../../functions/contracts/events/catalog';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import type { ServiceFunction } from '../platform/service-function';

type InventoryRoute = 'getStock' | 'restock';
type InventoryTask = 'reserveStock' | 'releaseStock' | 'commitStock' | 'returnStock';

/** Stock: a record per product, and the reservations of the order saga. */
export class InventoryStack extends ContextStack {
  readonly routeFunctions: Record<InventoryRoute, ServiceFunction>;
  /** The order saga's stock tasks, invoked directly by the orders state machine. */
  readonly tasks: Record<InventoryTask, ServiceFunction>;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    // A reservation carries the events of its writes; replaced (released, returned), it is relayed again with the new ones.
    super(scope, id, props, { service: 'inventory', publishes: true, relaysEventItems: true, relaysEventItemChanges: true });

    this.routeFunctions = {
      getStock: this.route('getStock').bindTable(this.table, 'read'),
      restock: this.route('restock').bindTable(this.table, 'readWrite'),
    };

    // A few reads and one transaction: seconds at worst. The state machine retries a timed-out
    // attempt, which the reservation record makes harmless.
    const sagaTask = { timeout: Duration.seconds(10) };
    this.tasks = {
      // It reads the order's reservation and its lines' stock records in one BatchGetItem.
      reserveStock: this.sagaTask('ReserveStock', 'reserve-stock', 'Order saga: reserve the stock of an order, all lines or none', { ...sagaTask, batchGet: true }),
      releaseStock: this.sagaTask('ReleaseStock', 'release-stock', "Order saga: put an unconfirmed order's reserved units back", sagaTask),
      commitStock: this.sagaTask('CommitStock', 'commit-stock', "Order saga: a confirmed order's reserved units are sold", sagaTask),
      returnStock: this.sagaTask('ReturnStock', 'return-stock', "Order saga: put a cancelled confirmed order's units back", sagaTask),
    };

    this.subscribe('ProductCreatedSubscription', [ProductCreated], {
      handler: 'on-product-created',
      description: 'ProductCreated events: an empty stock record per new product',
    });
  }
}
