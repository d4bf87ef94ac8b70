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

/**
 * A new product (version 1). `description` was added for the search projection: optional, so an
 * event published before it still parses (the projection then reads the product).
 */
export const ProductCreated = defineEvent('catalog', 'ProductCreated', z.object({ ...ProductFields, description: z.string().optional() }));

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
