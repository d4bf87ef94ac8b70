import type { CheckoutRequest } from '../../contracts/api/cart';
import type { Order } from '../../contracts/api/orders';
import { CartCheckedOut } from '../../contracts/events/cart';
import { ConcurrentUpdateError } from '../../shared/errors';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { nowIso } from '../../shared/ids';
import { LOST_RACE, retryOnLostRace } from '../../shared/lost-race';
import {
  assertRoomFor, cartView, CatalogUnavailableError, checkoutKey, emptyCart, EmptyCartError, ProductNotForSaleError, setItem, withItems,
  type Cart, type CatalogAnswer, type OrderLine, type StoredCart,
} from './cart';

/** The cart table as the domain sees it. */
export interface CartStore {
  get(userId: string): Promise<StoredCart | undefined>;
  /**
   * Writes `cart` (and `event`, in the same transaction) only if the stored cart is still at
   * `expectedVersion` (0: none stored yet); false when another write got there first.
   */
  replace(cart: StoredCart, expectedVersion: number, event?: PendingEvent): Promise<boolean>;
}

/** The catalog's current products; CatalogUnavailableError when it does not answer in time. */
export interface Catalog {
  products(productIds: readonly string[]): Promise<CatalogAnswer>;
}

/** POST /orders as the caller; the order service's own errors (422, 409) come through typed. */
export interface Orders {
  place(body: { items: readonly OrderLine[] } & CheckoutRequest, idempotencyKey: string): Promise<Order>;
}

export interface CartDeps {
  readonly store: CartStore;
  readonly catalog: Catalog;
}

/** Attempts of a read-change-write before it gives up on a cart changed concurrently (two tabs). */
export const MAX_WRITE_ATTEMPTS = 3;

const exhausted = () => new ConcurrentUpdateError('The cart is being changed by another request; try again');

async function load(store: CartStore, userId: string): Promise<StoredCart> {
  return (await store.get(userId)) ?? emptyCart(userId, nowIso());
}

/** The view of `cart` at the catalog's current prices, or at the saved ones when the catalog does not answer. */
async function priced(catalog: Catalog, cart: StoredCart): Promise<Cart> {
  if (cart.items.length === 0) return cartView(cart, { items: [], missing: [] });
  try {
    return cartView(cart, await catalog.products(cart.items.map((item) => item.productId)));
  } catch (error) {
    if (error instanceof CatalogUnavailableError) return cartView(cart, undefined);
    throw error;
  }
}

export async function getCart({ store, catalog }: CartDeps, userId: string): Promise<Cart> {
  return priced(catalog, await load(store, userId));
}

/**
 * Sets a product's quantity. The catalog must confirm the product first (one call, which also
 * prices the rest of the cart): unknown or archived is a 422; no answer is a 503 and the cart is
 * left as it was, since a price the cart cannot confirm is never saved.
 */
export function putItem({ store, catalog }: CartDeps, userId: string, productId: string, quantity: number): Promise<Cart> {
  return retryOnLostRace(async () => {
    const cart = await load(store, userId);
    // Before asking the catalog: a full cart's 51 ids would be more than one batch takes.
    assertRoomFor(cart, productId);
    const ids = [...new Set([...cart.items.map((item) => item.productId), productId])];
    const answer = await catalog.products(ids);
    const product = answer.items.find((candidate) => candidate.id === productId);
    if (!product) throw new ProductNotForSaleError();
    const next = setItem(cart, product, quantity, nowIso());
    return (await store.replace(next, cart.version)) ? cartView(next, answer) : LOST_RACE;
  }, { attempts: MAX_WRITE_ATTEMPTS, exhausted });
}

/** Takes a product out; a product that was not there changes nothing (and is no error). */
export async function removeItem({ store, catalog }: CartDeps, userId: string, productId: string): Promise<Cart> {
  const cart = await retryOnLostRace(async () => {
    const current = await load(store, userId);
    if (!current.items.some((item) => item.productId === productId)) return current;
    const next = withItems(current, current.items.filter((item) => item.productId !== productId), nowIso());
    return (await store.replace(next, current.version)) ? next : LOST_RACE;
  }, { attempts: MAX_WRITE_ATTEMPTS, exhausted });
  return priced(catalog, cart);
}

/** Empties the cart; an empty one stays as it is. Its version still grows, so no later content reuses one. */
export async function clearCart(store: CartStore, userId: string): Promise<void> {
  await retryOnLostRace(async () => {
    const current = await load(store, userId);
    if (current.items.length === 0) return true;
    return (await store.replace(withItems(current, [], nowIso()), current.version)) || LOST_RACE;
  }, { attempts: MAX_WRITE_ATTEMPTS, exhausted });
}

export interface CheckoutCommand {
  readonly userId: string;
  readonly body: CheckoutRequest;
  /** The client's Idempotency-Key, if any. */
  readonly idempotencyKey?: string;
  readonly correlationId: string;
}

/**
 * Places the order of the cart's current version through POST /orders, with a key derived from
 * that version, so every checkout of the same content is the same order. Then empties the cart,
 * only if it is still that version: an item added meanwhile (another tab) keeps the cart as it
 * is now. The emptying and CartCheckedOut are one transaction, so the event is published once
 * however many requests checked the version out. A client's retry with the same Idempotency-Key
 * after the cart was emptied gets the same order again.
 */
export async function checkout(store: CartStore, orders: Orders, command: CheckoutCommand): Promise<Order> {
  const { userId, body, idempotencyKey, correlationId } = command;
  const cart = await load(store, userId);
  if (cart.items.length === 0) {
    const last = cart.lastCheckout;
    if (idempotencyKey !== undefined && last?.idempotencyKey === idempotencyKey) {
      return orders.place({ ...body, items: last.items }, checkoutKey(last.version));
    }
    throw new EmptyCartError();
  }
  const items: OrderLine[] = cart.items.map(({ productId, quantity }) => ({ productId, quantity }));
  const order = await orders.place({ ...body, items }, checkoutKey(cart.version));
  const emptied: StoredCart = {
    ...withItems(cart, [], nowIso()),
    lastCheckout: { version: cart.version, orderId: order.orderId, items, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) },
  };
  // False when the cart changed since it was read: it is then no longer the version ordered.
  await store.replace(emptied, cart.version, domainEvent(CartCheckedOut, { userId, orderId: order.orderId, items }, correlationId));
  return order;
}
