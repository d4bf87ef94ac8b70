import { ProductCreated } from '../../contracts/events/catalog';
import type { EventData } from '../../contracts/events/envelope';
import { eventConsumer } from '../../shared/events/event-consumer';
import { inventoryStore } from '../composition';
import { createStockRecord } from '../domain/inventory';

/** Idempotent on the product id: the record is created once, a redelivery leaves it as it is. */
export const handler = eventConsumer([ProductCreated], {
  ProductCreated: (data: EventData<typeof ProductCreated>) => createStockRecord(inventoryStore, data.productId),
});
