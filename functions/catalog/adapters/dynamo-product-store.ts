import { DynamoTable, indexEntry, itemKey, putNew, replaceIfStill, type Item } from '../../shared/dynamo';
import type { ProductStore } from '../domain/catalog';
import { isActive, SkuTakenError, type Product } from '../domain/product';

/**
 * Items: `PRODUCT#<id>`/`PRODUCT` (the product) and `SKU#<sku>`/`SKU` (the uniqueness claim on
 * the SKU, holding the productId; kept when the product is archived, so a SKU is never reused).
 * While a product is active it carries the keys of two sparse indexes: gsi1 (`PRODUCT`, id) lists
 * every active product, gsi2 (`CATEGORY#<category>`, id) those of one category. The product is
 * always written whole, so archiving drops both index entries and a category change moves gsi2.
 */
export const productKey = (productId: string) => itemKey(`PRODUCT#${productId}`, 'PRODUCT');
const skuKey = (sku: string) => itemKey(`SKU#${sku}`, 'SKU');
const ALL_ACTIVE = 'PRODUCT';
const categoryPartition = (category: string) => `CATEGORY#${category}`;

function productItem(product: Product): Item {
  const listed = isActive(product)
    ? { ...indexEntry('gsi1', ALL_ACTIVE, product.id), ...indexEntry('gsi2', categoryPartition(product.category), product.id) }
    : {};
  return { ...productKey(product.id), kind: 'product', ...product, ...listed };
}

function toProduct(item: Item): Product {
  const { id, name, description, category, priceCents, currency, sku, status, version, createdAt, updatedAt } =
    item as unknown as Product;
  return { id, name, description, category, priceCents, currency, sku, status, version, createdAt, updatedAt };
}

export function dynamoProductStore(tableName: string): ProductStore {
  const table = new DynamoTable(tableName);
  return {
    async create(product, event) {
      const result = await table.transact([putNew(productItem(product)), putNew({ ...skuKey(product.sku), kind: 'sku', productId: product.id })], event);
      if (result.written) return;
      if (result.failed[1]) throw new SkuTakenError();
      throw result.error;
    },

    async get(productId) {
      const item = await table.get(productKey(productId));
      return item ? toProduct(item) : undefined;
    },

    async getMany(productIds) {
      const items = await table.batchGetAll(productIds.map(productKey));
      return items.map(toProduct);
    },

    replace(product, expectedVersion, event) {
      return table.transactIf([replaceIfStill(productItem(product), 'version', expectedVersion)], event);
    },

    async listActive({ category, beforeId, limit }) {
      // Ids are ULIDs, so descending ids are newest first.
      const listing = category === undefined
        ? { index: 'gsi1' as const, partition: ALL_ACTIVE }
        : { index: 'gsi2' as const, partition: categoryPartition(category) };
      const items = await table.queryUpTo({ ...listing, below: beforeId, newestFirst: true }, limit);
      return items.map(toProduct);
    },
  };
}
