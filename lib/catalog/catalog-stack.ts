import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { OutboxRelay } from '../platform/outbox-relay';
import type { Platform } from '../platform/platform-stack';
import { routeFunction } from '../platform/route-function';
import type { ServiceFunction } from '../platform/service-function';
import { ServiceTable } from '../platform/service-table';

export interface CatalogStackProps extends StackProps {
  readonly platform: Platform;
}

type CatalogRoute = 'listProducts' | 'getProduct' | 'createProduct' | 'updateProduct' | 'archiveProduct';

/** The product catalog: products, their prices and lifecycle. */
export class CatalogStack extends Stack {
  readonly table: ServiceTable;
  readonly routeFunctions: Record<CatalogRoute, ServiceFunction>;

  constructor(scope: Construct, id: string, props: CatalogStackProps) {
    super(scope, id, props);
    const { platform } = props;
    // gsi1: every active product; gsi2: active products by category. Both sparse: archiving removes the keys.
    this.table = new ServiceTable(this, 'Table', { stage: platform.stage, stream: true, indexes: ['gsi1', 'gsi2'] });
    new OutboxRelay(this, 'Outbox', {
      stage: platform.stage, service: 'catalog', table: this.table, bus: platform.bus, alarmTopic: platform.alarmTopic,
    });

    this.routeFunctions = {
      // Signs and checks its pagination cursors.
      listProducts: routeFunction(this, 'listProducts', platform)
        .bindTable(this.table, 'read')
        .bindSigningSecret(platform.signingSecret),
      getProduct: routeFunction(this, 'getProduct', platform).bindTable(this.table, 'read'),
      createProduct: routeFunction(this, 'createProduct', platform).bindTable(this.table, 'readWrite'),
      updateProduct: routeFunction(this, 'updateProduct', platform).bindTable(this.table, 'readWrite'),
      archiveProduct: routeFunction(this, 'archiveProduct', platform).bindTable(this.table, 'readWrite'),
    };
  }
}
