import * as z from 'zod';
import { defineEvent } from './envelope';

/** A cart became an order: what was in it when it was checked out. */
export const CartCheckedOut = defineEvent(
  'cart',
  'CartCheckedOut',
  z.object({
    userId: z.string(),
    orderId: z.string(),
    items: z.array(z.object({ productId: z.string(), quantity: z.number().int().positive() })).min(1),
  }),
);
