import { describe, expect, it } from 'vitest';
import { Product as ProductSchema } from '../../../functions/contracts/api/catalog';
import {
  applyPatch, archive, newProduct, ProductNotFoundError, SkuTakenError, type NewProduct,
} from '../../../functions/catalog/domain/product';

const created = '2025-01-01T00:00:00.000Z';
const later = '2025-01-02T00:00:00.000Z';
const input: NewProduct = { name: 'Mug', category: 'kitchen', priceCents: 1299, currency: 'USD', sku: 'MUG-1' };

describe('newProduct', () => {
  it('starts ACTIVE at version 1, created and updated now', () => {
    const product = newProduct(input, created, 'p1');
    expect(product).toEqual({
      id: 'p1', name: 'Mug', description: '', category: 'kitchen', priceCents: 1299, currency: 'USD', sku: 'MUG-1',
      status: 'ACTIVE', version: 1, createdAt: created, updatedAt: created,
    });
    expect(ProductSchema.parse(product)).toEqual(product);
  });

  it('keeps a given description', () => {
    expect(newProduct({ ...input, description: 'Holds tea' }, created).description).toBe('Holds tea');
  });

  it('mints time-ordered ids when none is given', () => {
    const first = newProduct(input, created);
    const second = newProduct(input, created);
    expect(second.id > first.id).toBe(true);
  });
});

describe('applyPatch', () => {
  const product = newProduct(input, created, 'p1');

  it('changes only the named fields and bumps the version', () => {
    const patched = applyPatch(product, { priceCents: 1499, category: 'office' }, later);
    expect(patched).toEqual({ ...product, priceCents: 1499, category: 'office', version: 2, updatedAt: later });
  });

  it('ignores fields present but undefined', () => {
    expect(applyPatch(product, { name: undefined, description: 'New' }, later)).toMatchObject({
      name: 'Mug', description: 'New',
    });
  });

  it('counts every change, even to the same value, as a new version', () => {
    const once = applyPatch(product, { name: 'Mug' }, later);
    expect(applyPatch(once, { name: 'Mug' }, later).version).toBe(3);
  });

  it('never touches identity, SKU, currency, status or creation time', () => {
    const patched = applyPatch(product, { name: 'Cup', description: 'd', category: 'c', priceCents: 1 }, later);
    expect(patched).toMatchObject({ id: 'p1', sku: 'MUG-1', currency: 'USD', status: 'ACTIVE', createdAt: created });
  });

  it('leaves its input unchanged', () => {
    const before = structuredClone(product);
    applyPatch(product, { name: 'Cup' }, later);
    expect(product).toEqual(before);
  });
});

describe('archive', () => {
  it('marks the product ARCHIVED as a new version and keeps its data', () => {
    const product = applyPatch(newProduct(input, created, 'p1'), { priceCents: 999 }, created);
    expect(archive(product, later)).toEqual({ ...product, status: 'ARCHIVED', version: 3, updatedAt: later });
  });
});

describe('errors', () => {
  it('map to the statuses and codes of the API', () => {
    expect(new SkuTakenError()).toMatchObject({ status: 409, code: 'sku-taken' });
    expect(new ProductNotFoundError()).toMatchObject({ status: 404, code: 'not-found', message: 'No active product with this id' });
  });
});
