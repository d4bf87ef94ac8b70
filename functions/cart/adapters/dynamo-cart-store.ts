import { DynamoTable, itemKey, putNew, replaceIfStill, type Item } from '../../shared/dynamo';
import type { StoredCart } from '../domain/cart';
import type { CartStore } from '../domain/cart-service';

/** Items: `CART#<userId>`/`CART`, the whole cart (at most 50 lines, well under DynamoDB's item size). */
const cartKey = (userId: string) => itemKey(`CART#${userId}`, 'CART');

function toCart(item: Item): StoredCart {
  const { userId, items, version, updatedAt, lastCheckout } = item as unknown as StoredCart;
  return { userId, items, version, updatedAt, ...(lastCheckout ? { lastCheckout } : {}) };
}

export function dynamoCartStore(tableName: string): CartStore {
  const table = new DynamoTable(tableName);
  return {
    async get(userId) {
      const item = await table.get(cartKey(userId));
      return item ? toCart(item) : undefined;
    },

    replace(cart, expectedVersion, event) {
      const item = { ...cartKey(cart.userId), kind: 'cart', ...cart };
      const write = expectedVersion === 0 ? putNew(item) : replaceIfStill(item, 'version', expectedVersion);
      return table.transactIf([write], event);
    },
  };
}
