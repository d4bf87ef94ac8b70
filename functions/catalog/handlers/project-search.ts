import { ProductArchived, ProductCreated, ProductUpdated } from '../../contracts/events/catalog';
import { eventConsumer } from '../../shared/events/event-consumer';
import { logger } from '../../shared/observability';
import { productStore } from '../composition';
import { projectArchived, projectCreated, projectUpdated } from '../domain/search-projection';
import { searchProjection } from '../search-composition';

/** A duplicate or overtaken event is expected with at-least-once delivery: logged, never an error. */
function reportStale(applied: boolean, productId: string): void {
  if (!applied) logger.info('Ignored a catalog event no newer than the search projection', { productId });
}

/** Keeps the search projection current from the catalog's own events; idempotent on the product's version. */
export const handler = eventConsumer([ProductCreated, ProductUpdated, ProductArchived], {
  ProductCreated: async (data) => reportStale(await projectCreated(searchProjection, productStore, data), data.productId),
  ProductUpdated: async (data) => reportStale(await projectUpdated(searchProjection, data), data.productId),
  ProductArchived: async (data) => reportStale(await projectArchived(searchProjection, data), data.productId),
});
