import * as z from 'zod';
import { Currency, Id, lineOfText, PageQuery, pageOf } from './common';

const Name = lineOfText(200);
const Description = z.string().max(4000);
const Category = lineOfText(100);
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

/** The most characters of `q` a search takes. */
export const MAX_SEARCH_QUERY = 100;

const PriceBound = z.coerce.number().int().min(0).max(100_000_000);

/**
 * `GET /products/search`: `q` (1-100 characters, not blank) is required; a price range whose
 * lower bound exceeds its upper one is a 400 rather than an empty page.
 */
export const SearchProductsQuery = PageQuery.extend({
  q: z.string().max(MAX_SEARCH_QUERY).refine((q) => q.trim().length > 0, { message: 'must not be blank' }),
  category: Category.optional(),
  minPriceCents: PriceBound.optional(),
  maxPriceCents: PriceBound.optional(),
}).superRefine(({ minPriceCents, maxPriceCents }, ctx) => {
  if (minPriceCents !== undefined && maxPriceCents !== undefined && minPriceCents > maxPriceCents) {
    ctx.addIssue({ code: 'custom', path: ['maxPriceCents'], message: 'must not be below minPriceCents' });
  }
});
export type SearchProductsQuery = z.infer<typeof SearchProductsQuery>;

/**
 * One search result: the product as the search projection holds it (what the catalog's events
 * carry, so no timestamps: GET /products/{id} has them) and its `score`, higher is better.
 */
export const SearchHit = Product.omit({ createdAt: true, updatedAt: true }).extend({ score: z.number().int().positive() });
export type SearchHit = z.infer<typeof SearchHit>;

export const SearchPage = pageOf(SearchHit);
