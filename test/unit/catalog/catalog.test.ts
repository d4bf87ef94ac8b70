import { describe, expect, it } from 'vitest';
import {
  archiveProduct, createProduct, getProduct, getProductBatch, listProducts, MAX_WRITE_ATTEMPTS, updateProduct, type ProductStore,
} from '../../../functions/catalog/domain/catalog';
import { ProductNotFoundError, SkuTakenError, type NewProduct, type Product } from '../../../functions/catalog/domain/product';
import { ProductArchived, ProductCreated, ProductUpdated } from '../../../functions/contracts/events/catalog';
import { ValidationError } from '../../../functions/shared/errors';
import type { PendingEvent } from '../../../functions/shared/events/outbox';

/** The store contract in memory: the use cases' rules, without a database. */
function memoryStore() {
  const products = new Map<string, Product>();
  const skus = new Set<string>();
  const events: PendingEvent[] = [];
  let replaceAttempts = 0;
  /** Runs before each replace: lets a test play a concurrent writer. */
  let beforeReplace: (productId: string) => void = () => {};
  const store: ProductStore = {
    async create(product, event) {
      if (skus.has(product.sku)) throw new SkuTakenError();
      skus.add(product.sku);
      products.set(product.id, product);
      events.push(event);
    },
    async get(productId) {
      return products.get(productId);
    },
    async getMany(productIds) {
      return productIds.flatMap((id) => products.get(id) ?? []);
    },
    async replace(product, expectedVersion, event) {
      replaceAttempts += 1;
      beforeReplace(product.id);
      if (products.get(product.id)?.version !== expectedVersion) return false;
      products.set(product.id, product);
      events.push(event);
      return true;
    },
    async listActive({ category, beforeId, limit }) {
      return [...products.values()]
        .filter((p) => p.status === 'ACTIVE' && (category === undefined || p.category === category))
        .filter((p) => beforeId === undefined || p.id < beforeId)
        .sort((a, b) => (a.id < b.id ? 1 : -1))
        .slice(0, limit);
    },
  };
  return {
    store, products, events,
    attempts: () => replaceAttempts,
    onReplace: (hook: (productId: string) => void) => { beforeReplace = hook; },
  };
}

const input: NewProduct = { name: 'Mug', category: 'kitchen', priceCents: 1299, currency: 'USD', sku: 'MUG-1' };
const cursorKey = Buffer.alloc(32, 7);

describe('createProduct', () => {
  it('stores an ACTIVE product and its ProductCreated event', async () => {
    const { store, events } = memoryStore();
    const product = await createProduct(store, input, 'corr-1');
    expect(product).toMatchObject({ ...input, description: '', status: 'ACTIVE', version: 1 });
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toBe(ProductCreated);
    expect(events[0]!.detail).toMatchObject({
      metadata: { correlationId: 'corr-1' },
      data: { productId: product.id, name: 'Mug', category: 'kitchen', priceCents: 1299, currency: 'USD', sku: 'MUG-1' },
    });
  });
});

describe('getProduct', () => {
  it('is a 404 for an unknown or archived product', async () => {
    const { store } = memoryStore();
    await expect(getProduct(store, 'nope')).rejects.toBeInstanceOf(ProductNotFoundError);
    const product = await createProduct(store, input, 'c');
    await archiveProduct(store, product.id, 'c');
    await expect(getProduct(store, product.id)).rejects.toBeInstanceOf(ProductNotFoundError);
  });
});

describe('updateProduct', () => {
  it('writes the next version and emits the product after the change', async () => {
    const { store, events } = memoryStore();
    const product = await createProduct(store, input, 'c');
    const updated = await updateProduct(store, product.id, { priceCents: 1500 }, 'corr-2');
    expect(updated).toMatchObject({ priceCents: 1500, version: 2 });
    expect(await getProduct(store, product.id)).toEqual(updated);
    expect(events[1]!.event).toBe(ProductUpdated);
    expect(events[1]!.detail.data).toEqual({
      productId: product.id, name: 'Mug', description: '', category: 'kitchen', priceCents: 1500, currency: 'USD',
      sku: 'MUG-1', version: 2,
    });
  });

  it('retries from a fresh read when another write wins the race', async () => {
    const memory = memoryStore();
    const product = await createProduct(memory.store, input, 'c');
    let raced = false;
    memory.onReplace((id) => {
      if (raced) return;
      raced = true;
      const current = memory.products.get(id)!;
      memory.products.set(id, { ...current, name: 'Cup', version: current.version + 1 });
    });
    const updated = await updateProduct(memory.store, product.id, { priceCents: 1500 }, 'c');
    // The concurrent rename survives: the retry applied the patch to what the race left.
    expect(updated).toMatchObject({ name: 'Cup', priceCents: 1500, version: 3 });
    expect(memory.attempts()).toBe(2);
  });

  it(`gives up with a 409 after ${MAX_WRITE_ATTEMPTS} lost races`, async () => {
    const memory = memoryStore();
    const product = await createProduct(memory.store, input, 'c');
    memory.onReplace((id) => {
      const current = memory.products.get(id)!;
      memory.products.set(id, { ...current, version: current.version + 1 });
    });
    await expect(updateProduct(memory.store, product.id, { name: 'Cup' }, 'c')).rejects.toMatchObject({ status: 409, code: 'concurrent-update', message: 'The product is being changed by another request; try again' });
    expect(memory.attempts()).toBe(MAX_WRITE_ATTEMPTS);
    expect(memory.events).toHaveLength(1);
  });

  it('is a 404 when the race archived the product', async () => {
    const memory = memoryStore();
    const product = await createProduct(memory.store, input, 'c');
    memory.onReplace((id) => {
      const current = memory.products.get(id)!;
      memory.products.set(id, { ...current, status: 'ARCHIVED', version: current.version + 1 });
    });
    await expect(updateProduct(memory.store, product.id, { name: 'Cup' }, 'c')).rejects.toBeInstanceOf(ProductNotFoundError);
  });

  it('is a 404 for an unknown product', async () => {
    await expect(updateProduct(memoryStore().store, 'nope', { name: 'Cup' }, 'c')).rejects.toBeInstanceOf(ProductNotFoundError);
  });
});

describe('archiveProduct', () => {
  it('archives once as a new version, then is a 404', async () => {
    const { store, events, products } = memoryStore();
    const product = await createProduct(store, input, 'c');
    await archiveProduct(store, product.id, 'corr-3');
    expect(products.get(product.id)).toMatchObject({ status: 'ARCHIVED', version: 2 });
    expect(events[1]!.event).toBe(ProductArchived);
    expect(events[1]!.detail.data).toEqual({ productId: product.id, version: 2 });
    await expect(archiveProduct(store, product.id, 'c')).rejects.toBeInstanceOf(ProductNotFoundError);
  });
});

describe('listProducts', () => {
  async function seeded(count: number, category = 'kitchen') {
    const memory = memoryStore();
    const created: Product[] = [];
    for (let i = 0; i < count; i += 1) {
      created.push(await createProduct(memory.store, { ...input, sku: `${category}-${i}`, category }, 'c'));
    }
    return { ...memory, newestFirst: created.reverse() };
  }

  it('pages newest first with exactly `limit` items and no cursor after the last page', async () => {
    const { store, newestFirst } = await seeded(5);
    const first = await listProducts(store, { limit: 2 }, cursorKey);
    expect(first.items).toEqual(newestFirst.slice(0, 2));
    const second = await listProducts(store, { limit: 2, cursor: first.nextCursor! }, cursorKey);
    expect(second.items).toEqual(newestFirst.slice(2, 4));
    const last = await listProducts(store, { limit: 2, cursor: second.nextCursor! }, cursorKey);
    expect(last).toEqual({ items: newestFirst.slice(4), nextCursor: null });
  });

  it('gives no cursor when the page holds exactly what is left', async () => {
    const { store } = await seeded(2);
    expect((await listProducts(store, { limit: 2 }, cursorKey)).nextCursor).toBeNull();
  });

  it('lists only active products of the category asked for', async () => {
    const memory = await seeded(2, 'kitchen');
    const office = await createProduct(memory.store, { ...input, sku: 'PEN', category: 'office' }, 'c');
    await archiveProduct(memory.store, memory.newestFirst[0]!.id, 'c');
    const page = await listProducts(memory.store, { category: 'kitchen', limit: 10 }, cursorKey);
    expect(page.items.map((p) => p.id)).toEqual([memory.newestFirst[1]!.id]);
    expect((await listProducts(memory.store, { limit: 10 }, cursorKey)).items.map((p) => p.id)).toEqual([
      office.id, memory.newestFirst[1]!.id,
    ]);
  });

  it('refuses a cursor of another listing, an edited one and a forged one with a 400 on query.cursor', async () => {
    const { store } = await seeded(3);
    const { nextCursor } = await listProducts(store, { category: 'kitchen', limit: 1 }, cursorKey);
    const [payload, signature] = nextCursor!.split('.');
    const edited = `${Buffer.from(JSON.stringify({ s: 'products:category:kitchen', p: { beforeId: 'Z' } })).toString('base64url')}.${signature}`;
    for (const [query, key] of [
      [{ limit: 1, cursor: nextCursor! }, cursorKey],
      [{ category: 'office', limit: 1, cursor: nextCursor! }, cursorKey],
      [{ category: 'kitchen', limit: 1, cursor: edited }, cursorKey],
      [{ category: 'kitchen', limit: 1, cursor: `${payload}.AAAA` }, cursorKey],
      [{ category: 'kitchen', limit: 1, cursor: nextCursor! }, Buffer.alloc(32, 8)],
    ] as const) {
      const failure = await listProducts(store, query, key).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ValidationError);
      expect((failure as ValidationError).errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    }
  });
});

describe('getProductBatch', () => {
  it('answers the active products in the order asked, and the archived and unknown ids as missing', async () => {
    const { store } = memoryStore();
    const mug = await createProduct(store, input, 'c');
    const cup = await createProduct(store, { ...input, sku: 'CUP-1', name: 'Cup' }, 'c');
    const gone = await createProduct(store, { ...input, sku: 'OLD-1' }, 'c');
    await archiveProduct(store, gone.id, 'c');
    const batch = await getProductBatch(store, [cup.id, 'nope', gone.id, mug.id]);
    expect(batch.items.map((product) => product.id)).toEqual([cup.id, mug.id]);
    expect(batch.missing).toEqual(['nope', gone.id]);
  });
});
