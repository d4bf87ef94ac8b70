import { ProductArchived, ProductCreated, ProductUpdated } from '../../contracts/events/catalog';
import { ConcurrentUpdateError } from '../../shared/errors';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { nowIso } from '../../shared/ids';
import { LOST_RACE, retryOnLostRace } from '../../shared/lost-race';
import { paginate, type Page, type PageQuery } from '../../shared/paging';
import {
  applyPatch, archive, isActive, newProduct, ProductNotFoundError,
  type NewProduct, type Product, type ProductPatch,
} from './product';

/** The catalog table as the domain sees it. */
export interface ProductStore {
  /** Stores the product, its SKU claim and the event at once; SkuTakenError when the SKU is in use. */
  create(product: Product, event: PendingEvent): Promise<void>;
  /** The product in any status, read consistently (it is the base of a versioned write). */
  get(productId: string): Promise<Product | undefined>;
  /**
   * Replaces the stored product with `product` and records the event, both only if the stored
   * version is still `expectedVersion`; false when another write got there first.
   */
  replace(product: Product, expectedVersion: number, event: PendingEvent): Promise<boolean>;
  /** The products of `productIds` that exist, in any status and any order. */
  getMany(productIds: readonly string[]): Promise<Product[]>;
  /** Up to `limit` active products, newest first, created before `beforeId` when given. */
  listActive(query: { category?: string; beforeId?: string; limit: number }): Promise<Product[]>;
}

export interface ProductPageQuery extends PageQuery {
  category?: string;
}

/** Attempts of a write (a create, or a read-apply-write) before it gives up on a hotly contended product or SKU. */
export const MAX_WRITE_ATTEMPTS = 3;

export async function createProduct(store: ProductStore, input: NewProduct, correlationId: string): Promise<Product> {
  const product = newProduct(input, nowIso());
  const { id: productId, name, description, category, priceCents, currency, sku } = product;
  const event = domainEvent(ProductCreated, { productId, name, description, category, priceCents, currency, sku }, correlationId);
  // A create racing another on the same SKU may be cancelled outright (TransactionConflict): try
  // again, and the SKU claim then decides (201, or 409 sku-taken).
  await retryOnLostRace(() => store.create(product, event), { attempts: MAX_WRITE_ATTEMPTS, exhausted: () => new ConcurrentUpdateError('Another request is creating a product with this SKU; try again') });
  return product;
}

export async function getProduct(store: ProductStore, productId: string): Promise<Product> {
  const product = await store.get(productId);
  if (!product || !isActive(product)) throw new ProductNotFoundError();
  return product;
}

/** The active products among `productIds`, in the order asked; the ids of archived or unknown ones are `missing`. */
export async function getProductBatch(store: ProductStore, productIds: readonly string[]): Promise<{ items: Product[]; missing: string[] }> {
  const found = new Map((await store.getMany(productIds)).filter(isActive).map((product) => [product.id, product]));
  const items = productIds.flatMap((id) => found.get(id) ?? []);
  return { items, missing: productIds.filter((id) => !found.has(id)) };
}

export function updateProduct(store: ProductStore, productId: string, patch: ProductPatch, correlationId: string): Promise<Product> {
  return changeActiveProduct(store, productId, (product, now) => {
    const changed = applyPatch(product, patch, now);
    const { id, name, description, category, priceCents, currency, sku, version } = changed;
    const data = { productId: id, name, description, category, priceCents, currency, sku, version };
    return { product: changed, event: domainEvent(ProductUpdated, data, correlationId) };
  });
}

export async function archiveProduct(store: ProductStore, productId: string, correlationId: string): Promise<void> {
  await changeActiveProduct(store, productId, (product, now) => {
    const archived = archive(product, now);
    const data = { productId: archived.id, version: archived.version };
    return { product: archived, event: domainEvent(ProductArchived, data, correlationId) };
  });
}

/**
 * Optimistic concurrency: read the product, derive its next version, and write it only if
 * nobody else wrote in between; on a lost race, start again from a fresh read (which may now
 * find the product archived: a 404, as for any other archived product).
 */
async function changeActiveProduct(
  store: ProductStore,
  productId: string,
  change: (product: Product, now: string) => { product: Product; event: PendingEvent },
): Promise<Product> {
  return retryOnLostRace(
    async () => {
      const current = await getProduct(store, productId);
      const { product, event } = change(current, nowIso());
      return (await store.replace(product, current.version, event)) ? product : LOST_RACE;
    },
    { attempts: MAX_WRITE_ATTEMPTS, exhausted: () => new ConcurrentUpdateError('The product is being changed by another request; try again') },
  );
}

/** Binds a cursor to its listing: a cursor of one category is no cursor for another, or for all. */
function listingScope(category: string | undefined): string {
  return category === undefined ? 'products:all' : `products:category:${category}`;
}

/** Active products, newest first; a cursor holds the id of the last product of the page it ends. */
export function listProducts(store: ProductStore, query: ProductPageQuery, cursorKey: Buffer): Promise<Page<Product>> {
  const { category } = query;
  return paginate({
    scope: listingScope(category),
    key: cursorKey,
    fields: ['beforeId'],
    positionOf: (product) => ({ beforeId: product.id }),
    read: (after, limit) => store.listActive({ category, beforeId: after?.beforeId, limit }),
  }, query);
}
