import type { Construct } from 'constructs';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import type { ServiceFunction } from '../platform/service-function';

type CatalogRoute = 'listProducts' | 'getProductBatch' | 'getProduct' | 'createProduct' | 'updateProduct' | 'archiveProduct';

/** The product catalog: products, their prices and lifecycle. */
export class CatalogStack extends ContextStack {
  readonly routeFunctions: Record<CatalogRoute, ServiceFunction>;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    // gsi1: every active product; gsi2: active products by category. Both sparse: archiving removes the keys.
    super(scope, id, props, { service: 'catalog', publishes: true, indexes: ['gsi1', 'gsi2'] });

    this.routeFunctions = {
      // Signs and checks its pagination cursors.
      listProducts: this.route('listProducts').bindTable(this.table, 'read').bindSigningSecret(this.platform.signingSecret),
      getProductBatch: this.route('getProductBatch').bindTable(this.table, 'read', { batchGet: true }),
      getProduct: this.route('getProduct').bindTable(this.table, 'read'),
      createProduct: this.route('createProduct').bindTable(this.table, 'readWrite'),
      updateProduct: this.route('updateProduct').bindTable(this.table, 'readWrite'),
      archiveProduct: this.route('archiveProduct').bindTable(this.table, 'readWrite'),
    };
  }
}
