import * as z from 'zod';
import { Currency, PageQuery, pageOf } from './common';

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
