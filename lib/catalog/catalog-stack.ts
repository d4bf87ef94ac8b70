import { CfnOutput, Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ProductArchived, ProductCreated, ProductUpdated } from '../../functions/contracts/events/catalog';
import { CATALOG_ENV } from '../../functions/catalog/catalog-config';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import { StackMonitoring } from '../platform/monitoring';
import { OPS_OUTPUT } from '../platform/ops-outputs';
import type { ServiceFunction } from '../platform/service-function';
import { ServiceTable } from '../platform/service-table';

type CatalogRoute = 'listProducts' | 'searchProducts' | 'getProductBatch' | 'getProduct' | 'createProduct' | 'updateProduct' | 'archiveProduct';

/** The product catalog: products, their prices and lifecycle, and the search read model of them. */
export class CatalogStack extends ContextStack {
  readonly routeFunctions: Record<CatalogRoute, ServiceFunction>;
  /** The search projection (CQRS read model): one item per product, gsi1 lists them by when they changed. */
  readonly searchTable: ServiceTable;
  /** Keeps the search projection current from the catalog's events. */
  readonly searchProjector: ServiceFunction;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    // gsi1: every active product; gsi2: active products by category. Both sparse: archiving removes the keys.
    super(scope, id, props, { service: 'catalog', publishes: true, indexes: ['gsi1', 'gsi2'] });
    this.searchTable = new ServiceTable(this, 'SearchTable', { stage: this.platform.stage, indexes: ['gsi1'] });
    StackMonitoring.of(this)!.watchTable(this.searchTable, 'SearchTable');
    const searchTable = { envName: CATALOG_ENV.searchTableName };

    this.routeFunctions = {
      // Signs and checks its pagination cursors.
      listProducts: this.route('listProducts').bindTable(this.table, 'read').bindSigningSecret(this.platform.signingSecret),
      // Loads the projection once per environment (parallel Scan), then one Query of the changes
      // index per search; signs its cursors. Never reads the catalog table. Memory buys the CPU
      // that builds the index; the timeout leaves the first search of an environment, which
      // loads it, room under API Gateway's 29 s.
      searchProducts: this.route('searchProducts', { memorySize: 1024, timeout: Duration.seconds(20) })
        .bindTable(this.searchTable, ['Scan', 'Query'], searchTable)
        .bindSigningSecret(this.platform.signingSecret),
      getProductBatch: this.route('getProductBatch').bindTable(this.table, 'read', { batchGet: true }),
      getProduct: this.route('getProduct').bindTable(this.table, 'read'),
      createProduct: this.route('createProduct').bindTable(this.table, 'readWrite'),
      updateProduct: this.route('updateProduct').bindTable(this.table, 'readWrite'),
      archiveProduct: this.route('archiveProduct').bindTable(this.table, 'readWrite'),
    };

    // The catalog's own events, back from the bus: at least once, in any order (writes are by version).
    this.searchProjector = this.subscribe('SearchProjection', [ProductCreated, ProductUpdated, ProductArchived], {
      handler: 'project-search',
      description: 'Keeps the search projection current from ProductCreated, ProductUpdated and ProductArchived',
      grant: (projector) => projector.bindTable(this.searchTable, ['PutItem'], searchTable),
    }).consumer;

    // For the operator CLI: `rebuild search` reads the catalog table and rewrites the projection.
    new CfnOutput(this, OPS_OUTPUT.catalogTableName, { value: this.table.tableName });
    new CfnOutput(this, OPS_OUTPUT.searchTableName, { value: this.searchTable.tableName });
  }
}
