import type { ProductArchived, ProductCreated, ProductUpdated } from '../../contracts/events/catalog';
import type { EventData } from '../../contracts/events/envelope';

/**
 * The orders context's own copy of the catalog: what it needs to price an order and to refuse
 * archived products, kept current from catalog events. Events may arrive twice or out of order,
 * so every change carries the product's version and an older (or equal) one changes nothing.
 */
export interface ActiveProductCopy {
  productId: string;
  status: 'ACTIVE';
  name: string;
  priceCents: number;
  currency: string;
  version: number;
}

/** An archived product, possibly known only from its ProductArchived (when that overtook its creation). */
export interface ArchivedProductCopy {
  productId: string;
  status: 'ARCHIVED';
  version: number;
}

export type ProductCopy = ActiveProductCopy | ArchivedProductCopy;

export interface CatalogCopyStore {
  /** Replaces the copy unless the stored one has `copy.version` or a newer one; false when it was stale. */
  save(copy: ActiveProductCopy): Promise<boolean>;
  /** Marks the product archived at `version` unless the stored copy is as new; false when it was stale. */
  archive(productId: string, version: number): Promise<boolean>;
  /** The copies of these products that exist, in one round trip. */
  getMany(productIds: readonly string[]): Promise<Map<string, ProductCopy>>;
}

/** ProductCreated carries no version: a new product is version 1, as the catalog numbers it. */
export const CREATED_VERSION = 1;

export function applyProductCreated(store: CatalogCopyStore, data: EventData<typeof ProductCreated>): Promise<boolean> {
  const { productId, name, priceCents, currency } = data;
  return store.save({ productId, status: 'ACTIVE', name, priceCents, currency, version: CREATED_VERSION });
}

export function applyProductUpdated(store: CatalogCopyStore, data: EventData<typeof ProductUpdated>): Promise<boolean> {
  const { productId, name, priceCents, currency, version } = data;
  return store.save({ productId, status: 'ACTIVE', name, priceCents, currency, version });
}

export function applyProductArchived(store: CatalogCopyStore, data: EventData<typeof ProductArchived>): Promise<boolean> {
  return store.archive(data.productId, data.version);
}
