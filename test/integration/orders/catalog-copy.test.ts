import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProductCreated } from '../../../functions/contracts/events/catalog';
import { lambdaContext } from '../../support/http';
import {
  asCustomer, busEvent, customerId, orderBody, ordersFixture, placeOrder, productArchived, productUpdated, resetStepFunctions, seedProduct,
  uniqueId, type OrdersFixture, type ProductSeed,
} from './fixture';

let fx: OrdersFixture;

beforeAll(async () => (fx = await ordersFixture()));

beforeEach(() => resetStepFunctions(fx));

const deliver = (event: Parameters<OrdersFixture['onCatalogEvent']>[0]) => fx.onCatalogEvent(event, lambdaContext());

/** What an order of one unit would be priced at now: the copy as the order service uses it. */
async function quote(productId: string) {
  const response = await placeOrder(fx, orderBody([{ productId, quantity: 1 }]), asCustomer(customerId()));
  return { status: response.status, line: response.body.items?.[0] };
}

async function storedCopy(productId: string) {
  const { Item } = await fx.env.db.send(new GetCommand({ TableName: fx.env.tableName, Key: { pk: `PRODUCT#${productId}`, sk: 'PRODUCT' } }));
  return Item;
}

const created = (product: ProductSeed) =>
  busEvent(ProductCreated, { ...product, category: 'kitchen', currency: 'USD', sku: uniqueId('SKU') });

describe('the catalog copy (on-catalog-event)', () => {
  it('prices orders from ProductCreated, then from each newer ProductUpdated', async () => {
    const product = await seedProduct(fx, { name: 'Mug', priceCents: 1000 });
    expect(await quote(product.productId)).toMatchObject({ status: 202, line: { name: 'Mug', unitPriceCents: 1000 } });
    await deliver(productUpdated(product, 2, { name: 'Big Mug', priceCents: 1500 }));
    expect(await quote(product.productId)).toMatchObject({ status: 202, line: { name: 'Big Mug', unitPriceCents: 1500 } });
  });

  it('ignores a ProductUpdated older than (or as old as) the copy it holds', async () => {
    const product = await seedProduct(fx, { priceCents: 1000 });
    await deliver(productUpdated(product, 3, { priceCents: 3000 }));
    await deliver(productUpdated(product, 2, { priceCents: 2000 }));
    await deliver(productUpdated(product, 3, { priceCents: 9999 }));
    expect(await quote(product.productId)).toMatchObject({ line: { unitPriceCents: 3000 } });
    expect(await storedCopy(product.productId)).toMatchObject({ version: 3, priceCents: 3000, status: 'ACTIVE' });
  });

  it('ignores a ProductCreated that arrives after an update (version 1 is older)', async () => {
    const product: ProductSeed = { productId: uniqueId('01PRODUCT'), name: 'Teapot', priceCents: 2500 };
    await deliver(productUpdated(product, 2, { priceCents: 2700 }));
    await deliver(created(product));
    expect(await quote(product.productId)).toMatchObject({ line: { unitPriceCents: 2700 } });
  });

  it('handles a duplicate delivery of the same event as a success that changes nothing', async () => {
    const product: ProductSeed = { productId: uniqueId('01PRODUCT'), name: 'Spoon', priceCents: 300 };
    const event = created(product);
    await deliver(event);
    await deliver(event);
    const update = productUpdated(product, 2, { priceCents: 350 });
    await deliver(update);
    await deliver(update);
    expect(await storedCopy(product.productId)).toMatchObject({ version: 2, priceCents: 350 });
  });

  it('makes an archived product unorderable, and a stale update cannot bring it back', async () => {
    const product = await seedProduct(fx);
    await deliver(productArchived(product.productId, 3));
    await deliver(productArchived(product.productId, 3));
    await deliver(productUpdated(product, 2, { priceCents: 1 }));
    expect((await quote(product.productId)).status).toBe(422);
    expect(await storedCopy(product.productId)).toMatchObject({ status: 'ARCHIVED', version: 3, name: product.name });
  });

  it('keeps a product archived whose ProductArchived overtook its ProductCreated', async () => {
    const product: ProductSeed = { productId: uniqueId('01PRODUCT'), name: 'Ghost', priceCents: 100 };
    await deliver(productArchived(product.productId, 2));
    await deliver(created(product));
    expect((await quote(product.productId)).status).toBe(422);
  });

  it('throws on an event that breaks its contract, so it is retried and dead-lettered, never dropped', async () => {
    const event = created({ productId: uniqueId('01PRODUCT'), name: 'Bad', priceCents: 100 });
    (event.detail as { data: { priceCents: number } }).data.priceCents = -5;
    await expect(deliver(event)).rejects.toThrow();
    await expect(deliver({ ...event, 'detail-type': 'ProductRenamed' })).rejects.toThrow('No handler');
  });
});
