import * as z from 'zod';
import type { ShippingAddress as ShippingAddressFields } from '../events/orders';
import { CancellationReason, RejectionReason } from '../events/order-reasons';
import { Currency, Id, lineOfText, PageQuery, pageOf } from './common';
import { COUNTRY_CODES } from './country-codes';

export const OrderStatus = z.enum(['PENDING', 'CONFIRMED', 'REJECTED', 'CANCELLED', 'SHIPPED', 'DELIVERED']);
export type OrderStatus = z.infer<typeof OrderStatus>;
export const StatusReason = z.union([RejectionReason, CancellationReason]);
export type StatusReason = z.infer<typeof StatusReason>;

export const ShippingAddress = z.strictObject({
  name: lineOfText(100),
  line1: lineOfText(200),
  line2: lineOfText(200, 0).optional(),
  city: lineOfText(100),
  postalCode: lineOfText(20),
  country: z.enum(COUNTRY_CODES, 'an ISO 3166-1 alpha-2 country code, e.g. US'),
}) satisfies z.ZodType<z.infer<typeof ShippingAddressFields>>;

export const PlaceOrderRequest = z.strictObject({
  items: z
    .array(z.strictObject({ productId: Id, quantity: z.number().int().min(1).max(100) }))
    .min(1)
    .max(50)
    .refine((items) => new Set(items.map((item) => item.productId)).size === items.length, {
      message: 'each product may appear once',
    }),
  paymentToken: z.string().min(1).max(100),
  shippingAddress: ShippingAddress,
});
export type PlaceOrderRequest = z.infer<typeof PlaceOrderRequest>;

/** Optional replay protection for POST /orders. */
export const PlaceOrderHeaders = z.object({ 'idempotency-key': z.string().min(1).max(64).optional() });

export const Order = z.object({
  orderId: z.string(),
  customerId: z.string(),
  status: OrderStatus,
  statusReason: StatusReason.optional(),
  items: z.array(z.object({ productId: z.string(), name: z.string(), quantity: z.number().int(), unitPriceCents: z.number().int() })),
  totalCents: z.number().int(),
  currency: Currency,
  shippingAddress: ShippingAddress,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  history: z.array(z.object({ status: OrderStatus, reason: StatusReason.optional(), at: z.iso.datetime() })),
});
export type Order = z.infer<typeof Order>;

export const OrderPage = pageOf(Order);
export const ListOrdersQuery = PageQuery;
