import * as z from 'zod';
import { defineEvent } from './envelope';

const ProductFields = {
  productId: z.string(),
  name: z.string(),
  category: z.string(),
  priceCents: z.number().int().positive(),
  currency: z.string().length(3),
  sku: z.string(),
};

export const ProductCreated = defineEvent('catalog', 'ProductCreated', z.object(ProductFields));

/** The product after the change; consumers drop versions older than the one they hold. */
export const ProductUpdated = defineEvent(
  'catalog',
  'ProductUpdated',
  z.object({ ...ProductFields, description: z.string(), version: z.number().int().positive() }),
);

export const ProductArchived = defineEvent(
  'catalog',
  'ProductArchived',
  z.object({ productId: z.string(), version: z.number().int().positive() }),
);
