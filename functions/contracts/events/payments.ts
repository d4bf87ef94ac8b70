import * as z from 'zod';
import { defineEvent } from './envelope';

export const PaymentCaptured = defineEvent(
  'payments',
  'PaymentCaptured',
  z.object({ orderId: z.string(), paymentId: z.string(), amountCents: z.number().int().positive(), currency: z.string().length(3) }),
);

export const PaymentDeclined = defineEvent('payments', 'PaymentDeclined', z.object({ orderId: z.string(), reason: z.string() }));

export const PaymentRefunded = defineEvent(
  'payments',
  'PaymentRefunded',
  z.object({ orderId: z.string(), paymentId: z.string(), amountCents: z.number().int().positive() }),
);
