import * as z from 'zod';
import { Currency } from './common';
import { PlaceOrderRequest } from './orders';

/** The most distinct products a cart holds (as an order does). */
export const MAX_CART_PRODUCTS = 50;

export const PutCartItemRequest = z.strictObject({ quantity: z.number().int().min(1).max(100) });
export type PutCartItemRequest = z.infer<typeof PutCartItemRequest>;

/** What the cart needs to place an order from its items: the rest of POST /orders' body. */
export const CheckoutRequest = PlaceOrderRequest.pick({ paymentToken: true, shippingAddress: true });
export type CheckoutRequest = z.infer<typeof CheckoutRequest>;

/** Optional: a client's retry with the same key after the cart was emptied gets the same order again. */
export const CheckoutHeaders = z.object({ 'idempotency-key': z.string().min(1).max(64).optional() });

/** Parts of the cart that could not be brought up to date: `prices` are the ones saved when each item was last set. */
export const CartDegradation = z.enum(['prices']);

export const CartItem = z.object({
  productId: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPriceCents: z.number().int(),
  lineTotalCents: z.number().int(),
});

export const Cart = z.object({
  items: z.array(CartItem),
  totalCents: z.number().int(),
  currency: Currency,
  version: z.number().int(),
  updatedAt: z.iso.datetime(),
  degraded: z.array(CartDegradation),
});
export type Cart = z.infer<typeof Cart>;
