import * as z from 'zod';
import { Currency } from './common';

export const PaymentStatus = z.enum(['CAPTURED', 'DECLINED', 'REFUNDED', 'FAILED']);

export const Payment = z.object({
  orderId: z.string(),
  status: PaymentStatus,
  amountCents: z.number().int(),
  currency: Currency,
  attempts: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime(),
});
export type Payment = z.infer<typeof Payment>;
