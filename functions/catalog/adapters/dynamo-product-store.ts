import { GetCommand, QueryCommand, TransactWriteCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/aws-clients';
import { failedConditions, lostToConcurrentTransaction } from '../../shared/dynamo';
import { outboxPut } from '../../shared/events/outbox';
import type { ProductStore } from '../domain/catalog';
import { isActive, SkuTakenError, type Product } from '../domain/product';

/**
 * Items: `PRODUCT#<id>`/`PRODUCT` (the product) and `SKU#<sku>`/`SKU` (the uniqueness claim on
 * the SKU, holding the productId; kept when the product is archived, so a SKU is never reused).
 * While a product is active it carries the keys of two sparse indexes: gsi1 (`PRODUCT`, id) lists
 * every active product, gsi2 (`CATEGORY#<category>`, id) those of one category. The product is
 * always written whole, so archiving drops both index entries and a category change moves gsi2.
 */
const productKey = (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' });
const skuKey = (sku: string) => ({ pk: `SKU#${sku}`, sk: 'SKU' });
const ALL_ACTIVE = 'PRODUCT';
const categoryPartition = (category: string) => `CATEGORY#${category}`;

function productItem(product: Product): Record<string, unknown> {
  const listed = isActive(product)
    ? { gsi1pk: ALL_ACTIVE, gsi1sk: product.id, gsi2pk: categoryPartition(product.category), gsi2sk: product.id }
    : {};
  return { ...productKey(product.id), kind: 'product', ...product, ...listed };
}

function toProduct(item: Record<string, unknown>): Product {
  const { id, name, description, category, priceCents, currency, sku, status, version, createdAt, updatedAt } =
    item as unknown as Product;
  return { id, name, description, category, priceCents, currency, sku, status, version, createdAt, updatedAt };
}

/** The index query of one listing: ids are ULIDs, so descending ids are newest first. */
function listingQuery(tableName: string, category: string | undefined, beforeId: string | undefined): QueryCommandInput {
  const [index, partition] = category === undefined ? ['gsi1', ALL_ACTIVE] : ['gsi2', categoryPartition(category)];
  const names: Record<string, string> = { '#pk': `${index}pk` };
  const values: Record<string, unknown> = { ':pk': partition };
  let condition = '#pk = :pk';
  // DynamoDB rejects declared names and values that the expression does not use.
  if (beforeId !== undefined) {
    condition += ' AND #sk < :before';
    names['#sk'] = `${index}sk`;
    values[':before'] = beforeId;
  }
  return {
    TableName: tableName,
    IndexName: index,
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ScanIndexForward: false,
  };
}

export function dynamoProductStore(tableName: string): ProductStore {
  const db = documentClient();
  return {
    async create(product, event) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: productItem(product), ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...skuKey(product.sku), kind: 'sku', productId: product.id },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              outboxPut(tableName, event),
            ],
          }),
        );
      } catch (error) {
        if (failedConditions(error)?.[1]) throw new SkuTakenError();
        throw error;
      }
    },

    async get(productId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: productKey(productId), ConsistentRead: true }));
      return Item ? toProduct(Item) : undefined;
    },

    async replace(product, expectedVersion, event) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: productItem(product),
                  // Also fails when the product is gone: a missing version equals nothing.
                  ConditionExpression: '#version = :expected',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expected': expectedVersion },
                },
              },
              outboxPut(tableName, event),
            ],
          }),
        );
        return true;
      } catch (error) {
        if (failedConditions(error)?.[0] || lostToConcurrentTransaction(error)) return false;
        throw error;
      }
    },

    async listActive({ category, beforeId, limit }) {
      const query = listingQuery(tableName, category, beforeId);
      const products: Product[] = [];
      let startKey: Record<string, unknown> | undefined;
      // One query returns at most 1 MB: keep reading until the page is full or the index ends.
      do {
        const { Items = [], LastEvaluatedKey } = await db.send(
          new QueryCommand({ ...query, Limit: limit - products.length, ExclusiveStartKey: startKey }),
        );
        products.push(...Items.map(toProduct));
        startKey = LastEvaluatedKey;
      } while (startKey && products.length < limit);
      return products;
    },
  };
}
