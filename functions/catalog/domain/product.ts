import type { CreateProductRequest, Product, UpdateProductRequest } from '../../contracts/api/catalog';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { newId } from '../../shared/ids';

export type { Product };
export type NewProduct = CreateProductRequest;
export type ProductPatch = UpdateProductRequest;

/** Ids are ULIDs, so sorting products by id sorts them by creation. */
export function newProduct(input: NewProduct, now: string, id: string = newId()): Product {
  return {
    id,
    name: input.name,
    description: input.description ?? '',
    category: input.category,
    priceCents: input.priceCents,
    currency: input.currency,
    sku: input.sku,
    status: 'ACTIVE',
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

/** Only the fields the patch names change; every change, even to the same values, is a new version. */
export function applyPatch(product: Product, patch: ProductPatch, now: string): Product {
  const { name, description, category, priceCents } = patch;
  return {
    ...product,
    ...(name === undefined ? {} : { name }),
    ...(description === undefined ? {} : { description }),
    ...(category === undefined ? {} : { category }),
    ...(priceCents === undefined ? {} : { priceCents }),
    version: product.version + 1,
    updatedAt: now,
  };
}

/** Archived products keep their data (and SKU) but are no longer listed, shown or orderable. */
export function archive(product: Product, now: string): Product {
  return { ...product, status: 'ARCHIVED', version: product.version + 1, updatedAt: now };
}

export function isActive(product: Product): boolean {
  return product.status === 'ACTIVE';
}

export class SkuTakenError extends ConflictError {
  override readonly code = 'sku-taken';
  constructor() {
    super('A product with this SKU already exists');
  }
}

/** Unknown and archived products look the same to callers. */
export class ProductNotFoundError extends NotFoundError {
  constructor() {
    super('No active product with this id');
  }
}
