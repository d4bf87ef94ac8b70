import { ProductArchived, ProductCreated, ProductUpdated } from '../../contracts/events/catalog';
import type { EventData } from '../../contracts/events/envelope';
import { eventConsumer } from '../../shared/events/event-consumer';
import { logger } from '../../shared/observability';
import { catalogCopies } from '../composition';
import { applyProductArchived, applyProductCreated, applyProductUpdated } from '../domain/catalog-copy';

/** A duplicate or overtaken event is expected with at-least-once delivery: logged, never an error. */
function reportStale(applied: boolean, productId: string): void {
  if (!applied) logger.info('Ignored a catalog event no newer than the copy', { productId });
}

/** Keeps the orders context's copy of product names, prices and status current; idempotent on the product's version. */
export const handler = eventConsumer([ProductCreated, ProductUpdated, ProductArchived], {
  ProductCreated: async (data: EventData<typeof ProductCreated>) =>
    reportStale(await applyProductCreated(catalogCopies, data), data.productId),
  ProductUpdated: async (data: EventData<typeof ProductUpdated>) =>
    reportStale(await applyProductUpdated(catalogCopies, data), data.productId),
  ProductArchived: async (data: EventData<typeof ProductArchived>) =>
    reportStale(await applyProductArchived(catalogCopies, data), data.productId),
});
