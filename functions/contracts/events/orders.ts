import * as z from 'zod';
import { OrderLine } from './inventory';
import { defineEvent } from './envelope';
import { CancellationReason, RejectionReason } from './order-reasons';

export const ShippingAddress = z.object({
  name: z.string(),
  line1: z.string(),
  line2: z.string().optional(),
  city: z.string(),
  postalCode: z.string(),
  country: z.string().length(2),
});

export { CancellationReason, RejectionReason };

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
