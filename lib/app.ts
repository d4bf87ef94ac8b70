import { Tags, Validations, type App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack } from './api/api-stack';
import { CartStack } from './cart/cart-stack';
import { CatalogStack } from './catalog/catalog-stack';
import { InventoryStack } from './inventory/inventory-stack';
import { NotificationsStack } from './notifications/notifications-stack';
import { OrdersStack } from './orders/orders-stack';
import { PaymentsStack } from './payments/payments-stack';
import { PlatformStack } from './platform/platform-stack';
import { ShippingStack } from './shipping/shipping-stack';
import { assertConcurrencyFits } from './platform/bulkheads';
import { stageFrom } from './platform/stage';
import { UsersStack } from './users/users-stack';

/**
 * The whole system on one CDK app: the platform, one stack per bounded context, and the API
 * stack last. cdk-nag's AwsSolutions pack runs as a validation plugin, so any finding that
 * is not acknowledged (with a reason, on its construct) fails synthesis.
 */
export function buildCommerceApp(app: App, env?: Environment) {
  const stage = stageFrom(app.node.tryGetContext('stage'), {
    sagaWorkflow: app.node.tryGetContext('sagaWorkflow'),
    notificationSender: app.node.tryGetContext('notificationSender'),
    notificationFrom: app.node.tryGetContext('notificationFrom'),
    alarmEmail: app.node.tryGetContext('alarmEmail'),
    canary: app.node.tryGetContext('canary'),
    concurrency: app.node.tryGetContext('concurrency'),
  });
  const prefix = `commerce-${stage.name}`;

  const platform = new PlatformStack(app, `${prefix}-platform`, { env, stage });
  const users = new UsersStack(app, `${prefix}-users`, { env, platform });
  const catalog = new CatalogStack(app, `${prefix}-catalog`, { env, platform });
  const cart = new CartStack(app, `${prefix}-cart`, { env, platform });
  const inventory = new InventoryStack(app, `${prefix}-inventory`, { env, platform });
  const payments = new PaymentsStack(app, `${prefix}-payments`, { env, platform });
  const shipping = new ShippingStack(app, `${prefix}-shipping`, { env, platform });
  // The order saga calls inventory and payments directly, and the cancel route shipping's claim,
  // so orders deploys after all three.
  const orders = new OrdersStack(app, `${prefix}-orders`, {
    env,
    platform,
    inventoryTasks: inventory.tasks,
    paymentTasks: payments.tasks,
    shipmentClaim: shipping.claimShipment,
  });
  const notifications = new NotificationsStack(app, `${prefix}-notifications`, { env, platform, sender: stage.notificationSender });
  const contexts = { users, catalog, cart, inventory, payments, orders, shipping, notifications };
  const api = new ApiStack(app, `${prefix}-api`, {
    env,
    platform,
    routeFunctions: Object.assign({}, ...Object.values(contexts).map((context) => context.routeFunctions)),
    healthTables: Object.fromEntries(Object.entries(contexts).map(([name, context]) => [name, context.table])),
    overview: {
      orderFlow: orders.orderFlow,
      sagaDuration: orders.sagaDuration,
      contextDashboards: Object.keys(contexts).map((name) => `${prefix}-${name}`),
    },
  });

  assertConcurrencyFits(app, stage);
  Tags.of(app).add('project', 'commerce');
  Tags.of(app).add('stage', stage.name);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stage, platform, ...contexts, api };
}
