import * as z from 'zod';

export const StockRecord = z.object({
  productId: z.string(),
  available: z.number().int().nonnegative(),
  reserved: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime(),
});
export type StockRecord = z.infer<typeof StockRecord>;

export const RestockRequest = z.strictObject({ quantity: z.number().int().min(1).max(1_000_000) });
