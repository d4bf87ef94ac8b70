import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredCart } from '../../../functions/cart/domain/cart';
import type { CartStore } from '../../../functions/cart/domain/cart-service';
import { CartCheckedOut } from '../../../functions/contracts/events/cart';
import { domainEvent } from '../../../functions/shared/events/outbox';
import { createLocalDynamoClient, createTestTable, useDynamoEnv } from '../../support/dynamodb';

let store: CartStore;
let tableName: string;
const client = () => createLocalDynamoClient();

beforeAll(async () => {
  useDynamoEnv();
  tableName = await createTestTable(client(), { prefix: 'cart' });
  const { dynamoCartStore } = await import('../../../functions/cart/adapters/dynamo-cart-store');
  store = dynamoCartStore(tableName);
});

const cartOf = (userId: string, version: number, quantity = 1): StoredCart => ({
  userId, version, updatedAt: new Date().toISOString(),
  items: [{ productId: 'p-1', name: 'Mug', quantity, unitPriceCents: 1200 }],
});

async function outboxFor(orderId: string) {
  const { Items = [] } = await client().send(new ScanCommand({ TableName: tableName }));
  return Items.map((item) => unmarshall(item)).filter((item) => item.kind === 'outbox' && JSON.stringify(item).includes(orderId));
}

describe('the DynamoDB cart store', () => {
  it('creates a cart only where none is stored (version 0), then replaces it only at the version read', async () => {
    const userId = randomUUID();
    expect(await store.get(userId)).toBeUndefined();
    expect(await store.replace(cartOf(userId, 1), 0)).toBe(true);
    expect(await store.replace(cartOf(userId, 1, 5), 0)).toBe(false);
    expect(await store.get(userId)).toMatchObject({ version: 1, items: [{ quantity: 1 }] });
    expect(await store.replace(cartOf(userId, 2, 3), 1)).toBe(true);
    expect(await store.replace(cartOf(userId, 2, 9), 1)).toBe(false);
    expect((await store.get(userId))!.items[0]!.quantity).toBe(3);
  });

  it('writes the emptied cart and CartCheckedOut together, and neither when the version moved on', async () => {
    const userId = randomUUID();
    await store.replace(cartOf(userId, 1), 0);
    const items = [{ productId: 'p-1', quantity: 1 }];
    const emptied = (orderId: string): StoredCart => ({
      userId, version: 2, updatedAt: new Date().toISOString(), items: [], lastCheckout: { version: 1, orderId, items, idempotencyKey: 'k' },
    });
    const lost = `order-${randomUUID()}`;
    expect(await store.replace(emptied(lost), 7, domainEvent(CartCheckedOut, { userId, orderId: lost, items }, 'c'))).toBe(false);
    expect(await outboxFor(lost)).toEqual([]);
    const won = `order-${randomUUID()}`;
    expect(await store.replace(emptied(won), 1, domainEvent(CartCheckedOut, { userId, orderId: won, items }, 'c'))).toBe(true);
    expect(await store.get(userId)).toMatchObject({ items: [], version: 2, lastCheckout: { version: 1, orderId: won, idempotencyKey: 'k' } });
    expect(await outboxFor(won)).toHaveLength(1);
  });
});
