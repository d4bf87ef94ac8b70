import * as z from 'zod';
import { defineEvent } from './envelope';

export const OrderLine = z.object({ productId: z.string(), quantity: z.number().int().positive() });

export const StockReplenished = defineEvent(
  'inventory',
  'StockReplenished',
  z.object({ productId: z.string(), available: z.number().int().nonnegative() }),
);

export const StockReserved = defineEvent(
  'inventory',
  'StockReserved',
  z.object({ orderId: z.string(), items: z.array(OrderLine).min(1) }),
);

export const StockReleased = defineEvent(
  'inventory',
  'StockReleased',
  z.object({ orderId: z.string(), items: z.array(OrderLine).min(1), reason: z.string() }),
);

export const StockLow = defineEvent(
  'inventory',
  'StockLow',
  z.object({ productId: z.string(), available: z.number().int().nonnegative(), threshold: z.number().int().positive() }),
);
