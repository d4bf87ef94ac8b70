import * as z from 'zod';
import { Currency, Id, PageQuery, pageOf } from './common';

const Name = z.string().trim().min(1).max(200);
const Description = z.string().max(4000);
const Category = z.string().trim().min(1).max(100);
const PriceCents = z.number().int().positive().max(100_000_000);
const Sku = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore and hyphen only');

export const CreateProductRequest = z
  .strictObject({
    name: Name,
    description: Description.optional(),
    category: Category,
    priceCents: PriceCents,
    currency: Currency,
    sku: Sku,
  });
export type CreateProductRequest = z.infer<typeof CreateProductRequest>;

export const UpdateProductRequest = z
  .strictObject({
    name: Name.optional(),
    description: Description.optional(),
    category: Category.optional(),
    priceCents: PriceCents.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { message: 'at least one field is required' });
export type UpdateProductRequest = z.infer<typeof UpdateProductRequest>;

export const ProductStatus = z.enum(['ACTIVE', 'ARCHIVED']);

export const Product = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    category: z.string(),
    priceCents: z.number().int(),
    currency: Currency,
    sku: z.string(),
    status: ProductStatus,
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  });
export type Product = z.infer<typeof Product>;

export const ListProductsQuery = PageQuery.extend({ category: Category.optional() });

export const ProductPage = pageOf(Product);

/** The most ids one GET /products/batch takes. */
export const MAX_BATCH_IDS = 50;

/** `?ids=a,b,…`: 1 to 50 ids, comma-separated; a repeated id counts once. */
export const ProductBatchQuery = z.object({
  ids: z
    .string()
    .transform((raw) => [...new Set(raw.split(',').map((id) => id.trim()))])
    .pipe(z.array(Id).min(1).max(MAX_BATCH_IDS)),
});

/** The active products among the ids asked for, in the order asked; archived or unknown ids are `missing`. */
export const ProductBatch = z.object({ items: z.array(Product), missing: z.array(z.string()) });
export type ProductBatch = z.infer<typeof ProductBatch>;
