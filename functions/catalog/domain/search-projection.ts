import { Currency } from '../../contracts/api/common';
import type { ProductArchived, ProductCreated, ProductUpdated } from '../../contracts/events/catalog';
import type { EventData } from '../../contracts/events/envelope';
import type { ProductStore } from './catalog';
import type { Product } from './product';
import type { SearchProjectionReader } from './search';
import type { ProjectedProduct, ProjectionEntry } from './search-index';

/**
 * The search projection: the catalog's products as search reads them, kept current by the
 * catalog's own events. Events arrive at least once and in any order, so every write carries the
 * product's version and changes nothing when the stored one is as new; an archive leaves a
 * tombstone, so a late older update cannot bring the product back.
 */
export interface SearchProjectionStore extends SearchProjectionReader {
  /** Stores `entry` unless the stored version is the same or newer; false when it was stale. */
  save(entry: ProjectionEntry): Promise<boolean>;
}

/** ProductCreated carries no version: a new product is version 1, as newProduct numbers it. */
const CREATED_VERSION = 1;

type ProductFields = Pick<Product, 'id' | 'name' | 'description' | 'category' | 'priceCents' | 'sku' | 'version'> & { currency: string };

/** The API knows one currency: an event in another is a fault to look at (its consumer dead-letters it), not a product to show. */
export function projectedFrom(product: ProductFields): ProjectedProduct {
  const { id, name, description, category, priceCents, currency, sku, version } = product;
  return { id, name, description, category, priceCents, currency: Currency.parse(currency), sku, status: 'ACTIVE', version };
}

/** The entry a product of the catalog table (in any status) projects to: rebuilds use it. */
export function entryOf(product: Product): ProjectionEntry {
  return product.status === 'ACTIVE' ? projectedFrom(product) : { id: product.id, status: 'ARCHIVED', version: product.version };
}

/**
 * A created product. An event published before ProductCreated carried the description lacks it:
 * the product is then read from the catalog table (the catalog's own data) for it.
 */
export async function projectCreated(
  projection: SearchProjectionStore, catalog: Pick<ProductStore, 'get'>, data: EventData<typeof ProductCreated>,
): Promise<boolean> {
  const description = data.description ?? (await catalog.get(data.productId))?.description ?? '';
  return projection.save(projectedFrom({ ...data, id: data.productId, description, version: CREATED_VERSION }));
}

export function projectUpdated(projection: SearchProjectionStore, data: EventData<typeof ProductUpdated>): Promise<boolean> {
  return projection.save(projectedFrom({ ...data, id: data.productId }));
}

export function projectArchived(projection: SearchProjectionStore, data: EventData<typeof ProductArchived>): Promise<boolean> {
  return projection.save({ id: data.productId, status: 'ARCHIVED', version: data.version });
}
