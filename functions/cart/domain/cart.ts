import type { Cart } from '../../contracts/api/cart';
import { MAX_CART_PRODUCTS } from '../../contracts/api/cart';
import type { Currency } from '../../contracts/api/common';
import { ConflictError, ServiceUnavailableError, UnprocessableError } from '../../shared/errors';

export type { Cart };

/** An item as the cart stores it: the name and price the catalog gave when it was last set. */
export interface SavedItem {
  readonly productId: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
}

/** The order line the cart sends to POST /orders: prices are the order service's own. */
export interface OrderLine {
  readonly productId: string;
  readonly quantity: number;
}

/** The last checkout that emptied the cart, so that a retry of it (same Idempotency-Key) finds its order again. */
export interface LastCheckout {
  /** The version of the cart that was checked out. */
  readonly version: number;
  readonly orderId: string;
  readonly items: readonly OrderLine[];
  /** The client's Idempotency-Key, when it sent one. */
  readonly idempotencyKey?: string;
}

/**
 * One user's cart. `version` grows with every change and never goes back (emptying the cart is a
 * change too), so a version names one content of the cart for good: checkout derives its order's
 * Idempotency-Key from it. Version 0 is the cart nobody has written yet.
 */
export interface StoredCart {
  readonly userId: string;
  readonly items: readonly SavedItem[];
  readonly version: number;
  readonly updatedAt: string;
  readonly lastCheckout?: LastCheckout;
}

/** A product as the catalog answers it: what the cart shows and saves. */
export interface CatalogProduct {
  readonly id: string;
  readonly name: string;
  readonly priceCents: number;
  readonly currency: Currency;
}

/** The catalog's answer for some ids: the active products, and the ids it does not sell (unknown or archived). */
export interface CatalogAnswer {
  readonly items: readonly CatalogProduct[];
  readonly missing: readonly string[];
}

/** The catalog did not answer in time (or its circuit is open): the cart falls back or refuses, never guesses. */
export class CatalogUnavailableError extends ServiceUnavailableError {
  override readonly code = 'catalog-unavailable';
}

/** The order service could not take the order now; nothing was changed. */
export class OrdersUnavailableError extends ServiceUnavailableError {
  override readonly code = 'orders-unavailable';
}

export class ProductNotForSaleError extends UnprocessableError {
  override readonly code = 'product-unavailable';
  constructor() {
    super('The product is unknown or archived');
  }
}

export class CartFullError extends ConflictError {
  override readonly code = 'cart-full';
  constructor() {
    super(`A cart holds at most ${MAX_CART_PRODUCTS} distinct products`);
  }
}

export class EmptyCartError extends ConflictError {
  override readonly code = 'cart-empty';
  constructor() {
    super('The cart is empty: there is nothing to check out');
  }
}

export function emptyCart(userId: string, now: string): StoredCart {
  return { userId, items: [], version: 0, updatedAt: now };
}

/** The cart after a change of its items: the next version. */
export function withItems(cart: StoredCart, items: readonly SavedItem[], now: string): StoredCart {
  return { ...cart, items, version: cart.version + 1, updatedAt: now };
}

/** CartFullError unless the cart holds `productId` already or has room for one more product. */
export function assertRoomFor(cart: StoredCart, productId: string): void {
  if (cart.items.length >= MAX_CART_PRODUCTS && !cart.items.some((saved) => saved.productId === productId)) throw new CartFullError();
}

/** The cart with `productId` at `quantity`, its name and price saved from the catalog's `product`. */
export function setItem(cart: StoredCart, product: CatalogProduct, quantity: number, now: string): StoredCart {
  const item: SavedItem = { productId: product.id, name: product.name, quantity, unitPriceCents: product.priceCents };
  assertRoomFor(cart, product.id);
  const present = cart.items.some((saved) => saved.productId === product.id);
  const items = present ? cart.items.map((saved) => (saved.productId === product.id ? item : saved)) : [...cart.items, item];
  return withItems(cart, items, now);
}

/**
 * What the client sees. With the catalog's answer: its current names and prices, and the products
 * it no longer sells left out (they cannot be ordered; they stay saved until removed). Without one
 * (the catalog did not answer): the saved names and prices, and `degraded: ["prices"]`.
 */
export function cartView(cart: StoredCart, catalog: CatalogAnswer | undefined): Cart {
  const current = new Map(catalog?.items.map((product) => [product.id, product]));
  const lines = cart.items.flatMap((saved) => {
    if (!catalog) return [saved];
    const product = current.get(saved.productId);
    return product ? [{ ...saved, name: product.name, unitPriceCents: product.priceCents }] : [];
  });
  const items = lines.map((line) => ({ ...line, lineTotalCents: line.unitPriceCents * line.quantity }));
  return {
    items,
    totalCents: items.reduce((sum, item) => sum + item.lineTotalCents, 0),
    currency: 'USD',
    version: cart.version,
    updatedAt: cart.updatedAt,
    degraded: catalog ? [] : ['prices'],
  };
}

/**
 * The Idempotency-Key of the order placed from one version of the cart: a retry, a double click or
 * a second tab checking out the same content get the one order (POST /orders keys are the
 * customer's own, so the user's id need not be in it).
 */
export function checkoutKey(version: number): string {
  return `cart-checkout-v${version}`;
}
