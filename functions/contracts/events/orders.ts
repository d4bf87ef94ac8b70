import * as z from 'zod';
import { OrderLine } from './inventory';
import { defineEvent } from './envelope';

export const ShippingAddress = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  postalCode: z.string(),
  country: z.string().length(2),
});

export const RejectionReason = z.enum(['OUT_OF_STOCK']);
/**
 * PROCESSING_FAILED: a step of the order saga other than the charge kept failing for a reason
 * that is no business outcome (a timeout, a fault); the saga undid what it had done.
 */
export const CancellationReason = z.enum(['PAYMENT_DECLINED', 'PAYMENT_UNAVAILABLE', 'CUSTOMER_REQUEST', 'PROCESSING_FAILED']);

const PricedLine = OrderLine.extend({ unitPriceCents: z.number().int().positive() });

export const OrderPlaced = defineEvent(
  'orders',
  'OrderPlaced',
  z.object({
    orderId: z.string(), customerId: z.string(), items: z.array(PricedLine).min(1),
    totalCents: z.number().int().positive(), currency: z.string().length(3),
  }),
);

export const OrderConfirmed = defineEvent(
  'orders',
  'OrderConfirmed',
  z.object({
    orderId: z.string(), customerId: z.string(), items: z.array(PricedLine).min(1),
    totalCents: z.number().int().positive(), currency: z.string().length(3), shippingAddress: ShippingAddress,
  }),
);

export const OrderRejected = defineEvent(
  'orders',
  'OrderRejected',
  z.object({ orderId: z.string(), customerId: z.string(), reason: RejectionReason }),
);

export const OrderCancelled = defineEvent(
  'orders',
  'OrderCancelled',
  z.object({ orderId: z.string(), customerId: z.string(), reason: CancellationReason, refunded: z.boolean() }),
);

export const OrderShipped = defineEvent(
  'orders',
  'OrderShipped',
  z.object({ orderId: z.string(), customerId: z.string(), carrier: z.string(), trackingNumber: z.string() }),
);

export const OrderDelivered = defineEvent('orders', 'OrderDelivered', z.object({ orderId: z.string(), customerId: z.string() }));
