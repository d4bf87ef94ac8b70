import { describe, expect, it } from 'vitest';
import { CartCheckedOut } from '../../../functions/contracts/events/cart';
import type { Order } from '../../../functions/contracts/api/orders';
import {
  CartFullError, CatalogUnavailableError, EmptyCartError, ProductNotForSaleError, type CatalogProduct, type StoredCart,
} from '../../../functions/cart/domain/cart';
import {
  checkout, clearCart, getCart, putItem, removeItem, type Catalog, type CartStore, type Orders,
} from '../../../functions/cart/domain/cart-service';
import type { PendingEvent } from '../../../functions/shared/events/outbox';

/** The store contract in memory: versioned replaces, the event written with the change. */
function memoryStore() {
  const carts = new Map<string, StoredCart>();
  const events: PendingEvent[] = [];
  let writes = 0;
  /** Runs before each replace: lets a test play a concurrent writer. */
  let beforeReplace: () => void = () => {};
  const store: CartStore = {
    async get(userId) {
      return carts.get(userId);
    },
    async replace(cart, expectedVersion, event) {
      beforeReplace();
      if ((carts.get(cart.userId)?.version ?? 0) !== expectedVersion) return false;
      writes += 1;
      carts.set(cart.userId, cart);
      if (event) events.push(event);
      return true;
    },
  };
  return { store, carts, events, writes: () => writes, onReplace: (hook: () => void) => { beforeReplace = hook; } };
}

/** The catalog in memory; `down` makes it answer as an unreachable one does. */
function memoryCatalog(products: CatalogProduct[]) {
  const byId = new Map(products.map((p) => [p.id, p]));
  const state = { down: false, calls: 0 };
  const catalog: Catalog = {
    async products(ids) {
      state.calls += 1;
      // GET /products/batch takes at most 50 ids: more is a 400, which the cart's client reads as no answer.
      if (state.down || ids.length > 50) throw new CatalogUnavailableError('down', 5);
      return { items: ids.flatMap((id) => byId.get(id) ?? []), missing: ids.filter((id) => !byId.has(id)) };
    },
  };
  return { catalog, byId, state };
}

/** POST /orders in memory: one order per Idempotency-Key, as the order service keeps it. */
function memoryOrders() {
  const byKey = new Map<string, Order>();
  const calls: { body: unknown; key: string }[] = [];
  const orders: Orders = {
    async place(body, key) {
      calls.push({ body, key });
      const existing = byKey.get(key);
      if (existing) return existing;
      const order = { orderId: `order-${byKey.size + 1}`, status: 'PENDING' } as Order;
      byKey.set(key, order);
      return order;
    },
  };
  return { orders, calls, count: () => byKey.size };
}

const mug: CatalogProduct = { id: 'p-mug', name: 'Mug', priceCents: 1200, currency: 'USD' };
const cup: CatalogProduct = { id: 'p-cup', name: 'Cup', priceCents: 500, currency: 'USD' };
const USER = 'u-1';
const body = { paymentToken: 'tok_visa', shippingAddress: { name: 'Ada', line1: '1 Main St', city: 'London', postalCode: 'N1', country: 'GB' } };

/** Another request (a second tab) adding a cup in between a read and its write. */
function addCupBehindTheCartsBack(carts: Map<string, StoredCart>) {
  const current = carts.get(USER)!;
  carts.set(USER, { ...current, items: [...current.items, { productId: cup.id, name: 'Cup', quantity: 1, unitPriceCents: 500 }], version: current.version + 1 });
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (!done) action();
    done = true;
  };
}

function fixture() {
  const store = memoryStore();
  const catalog = memoryCatalog([mug, cup]);
  return { ...store, ...catalog, deps: { store: store.store, catalog: catalog.catalog } };
}

describe('getCart', () => {
  it('is an empty cart at version 0 before anything was put in it', async () => {
    const { deps } = fixture();
    expect(await getCart(deps, USER)).toMatchObject({ items: [], totalCents: 0, currency: 'USD', version: 0, degraded: [] });
  });

  it("shows the catalog's current names and prices, and the saved ones with degraded: ['prices'] when it does not answer", async () => {
    const { deps, byId, state } = fixture();
    await putItem(deps, USER, mug.id, 2);
    byId.set(mug.id, { ...mug, name: 'Big mug', priceCents: 1500 });
    expect(await getCart(deps, USER)).toMatchObject({
      items: [{ productId: mug.id, name: 'Big mug', quantity: 2, unitPriceCents: 1500, lineTotalCents: 3000 }], totalCents: 3000, degraded: [],
    });
    state.down = true;
    expect(await getCart(deps, USER)).toMatchObject({
      items: [{ productId: mug.id, name: 'Mug', quantity: 2, unitPriceCents: 1200, lineTotalCents: 2400 }], totalCents: 2400, degraded: ['prices'],
    });
  });

  it('leaves out a product the catalog no longer sells', async () => {
    const { deps, byId } = fixture();
    await putItem(deps, USER, mug.id, 1);
    await putItem(deps, USER, cup.id, 1);
    byId.delete(cup.id);
    expect((await getCart(deps, USER)).items.map((item) => item.productId)).toEqual([mug.id]);
  });
});

describe('putItem', () => {
  it('saves the quantity with the name and price the catalog confirms, one version further each time', async () => {
    const { deps } = fixture();
    expect(await putItem(deps, USER, mug.id, 2)).toMatchObject({ version: 1, totalCents: 2400 });
    const cart = await putItem(deps, USER, mug.id, 3);
    expect(cart).toMatchObject({ version: 2, totalCents: 3600, items: [{ productId: mug.id, quantity: 3 }] });
  });

  it('refuses an unknown or archived product (422) and writes nothing', async () => {
    const { deps, writes } = fixture();
    await expect(putItem(deps, USER, 'p-gone', 1)).rejects.toBeInstanceOf(ProductNotForSaleError);
    expect(writes()).toBe(0);
  });

  it('answers 503 with Retry-After when the catalog cannot confirm the product, and leaves the cart as it was', async () => {
    const { deps, state, carts } = fixture();
    await putItem(deps, USER, mug.id, 1);
    const before = carts.get(USER);
    state.down = true;
    const error = await putItem(deps, USER, cup.id, 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CatalogUnavailableError);
    expect((error as CatalogUnavailableError).status).toBe(503);
    expect((error as CatalogUnavailableError).headers).toEqual({ 'Retry-After': '5' });
    expect(carts.get(USER)).toBe(before);
  });

  it('holds at most 50 distinct products (409 beyond), though it still changes the quantity of one it holds', async () => {
    const products = Array.from({ length: 51 }, (_, i) => ({ id: `p-${i}`, name: `P${i}`, priceCents: 100, currency: 'USD' as const }));
    const store = memoryStore();
    const deps = { store: store.store, catalog: memoryCatalog(products).catalog };
    for (const product of products.slice(0, 50)) await putItem(deps, USER, product.id, 1);
    await expect(putItem(deps, USER, 'p-50', 1)).rejects.toBeInstanceOf(CartFullError);
    expect((await putItem(deps, USER, 'p-0', 4)).items).toHaveLength(50);
  });

  it('reads again and reapplies when another request changed the cart in between', async () => {
    const { deps, onReplace, store, carts } = fixture();
    await putItem(deps, USER, mug.id, 1);
    onReplace(once(() => addCupBehindTheCartsBack(carts)));
    const cart = await putItem({ store, catalog: deps.catalog }, USER, mug.id, 2);
    expect(cart.items.map((item) => [item.productId, item.quantity])).toEqual([[mug.id, 2], [cup.id, 1]]);
    expect(cart.version).toBe(3);
  });
});

describe('removeItem and clearCart', () => {
  it('removes a product, and answers the cart unchanged for one that was not there', async () => {
    const { deps, writes } = fixture();
    await putItem(deps, USER, mug.id, 1);
    await putItem(deps, USER, cup.id, 1);
    expect((await removeItem(deps, USER, mug.id)).items.map((item) => item.productId)).toEqual([cup.id]);
    const written = writes();
    expect(await removeItem(deps, USER, mug.id)).toMatchObject({ version: 3 });
    expect(writes()).toBe(written);
  });

  it('empties the cart with a new version, so a later content never reuses a checked-out one', async () => {
    const { deps, store, carts } = fixture();
    await putItem(deps, USER, mug.id, 1);
    await clearCart(store, USER);
    expect(carts.get(USER)).toMatchObject({ items: [], version: 2 });
    await clearCart(store, USER);
    expect(carts.get(USER)!.version).toBe(2);
  });
});

describe('checkout', () => {
  it("places the order of the cart's items with a key derived from its version, then empties it with CartCheckedOut", async () => {
    const { deps, store, carts, events } = fixture();
    await putItem(deps, USER, mug.id, 2);
    await putItem(deps, USER, cup.id, 1);
    const placed = memoryOrders();
    const order = await checkout(store, placed.orders, { userId: USER, body, correlationId: 'c-1' });
    expect(order.orderId).toBe('order-1');
    expect(placed.calls).toEqual([{ key: 'cart-checkout-v2', body: { ...body, items: [{ productId: mug.id, quantity: 2 }, { productId: cup.id, quantity: 1 }] } }]);
    expect(carts.get(USER)).toMatchObject({ items: [], version: 3, lastCheckout: { version: 2, orderId: 'order-1' } });
    expect(events).toHaveLength(1);
    expect(events[0]!.event).toBe(CartCheckedOut);
    expect(events[0]!.detail.data).toEqual({ userId: USER, orderId: 'order-1', items: [{ productId: mug.id, quantity: 2 }, { productId: cup.id, quantity: 1 }] });
  });

  it('yields one order and one event for a double click: both requests read the same version', async () => {
    const { deps, store, events } = fixture();
    await putItem(deps, USER, mug.id, 1);
    const placed = memoryOrders();
    const [first, second] = await Promise.all([
      checkout(store, placed.orders, { userId: USER, body, correlationId: 'a' }),
      checkout(store, placed.orders, { userId: USER, body, correlationId: 'b' }),
    ]);
    expect(second.orderId).toBe(first.orderId);
    expect(placed.count()).toBe(1);
    expect(events).toHaveLength(1);
  });

  it('answers a retry with the same Idempotency-Key after the cart was emptied with the same order', async () => {
    const { deps, store } = fixture();
    await putItem(deps, USER, mug.id, 1);
    const placed = memoryOrders();
    const first = await checkout(store, placed.orders, { userId: USER, body, idempotencyKey: 'k-1', correlationId: 'a' });
    const retry = await checkout(store, placed.orders, { userId: USER, body, idempotencyKey: 'k-1', correlationId: 'b' });
    expect(retry.orderId).toBe(first.orderId);
    expect(placed.calls.map((call) => call.key)).toEqual(['cart-checkout-v1', 'cart-checkout-v1']);
    await expect(checkout(store, placed.orders, { userId: USER, body, idempotencyKey: 'k-2', correlationId: 'c' })).rejects.toBeInstanceOf(EmptyCartError);
    await expect(checkout(store, placed.orders, { userId: USER, body, correlationId: 'd' })).rejects.toBeInstanceOf(EmptyCartError);
    expect(placed.count()).toBe(1);
  });

  it('refuses an empty cart (409) without placing anything', async () => {
    const { store } = fixture();
    const placed = memoryOrders();
    await expect(checkout(store, placed.orders, { userId: USER, body, correlationId: 'a' })).rejects.toBeInstanceOf(EmptyCartError);
    expect(placed.calls).toEqual([]);
  });

  it('empties only the version it checked out: an item added meanwhile keeps the cart as it is now', async () => {
    const { deps, store, carts, events, onReplace } = fixture();
    await putItem(deps, USER, mug.id, 1);
    const placed = memoryOrders();
    onReplace(once(() => addCupBehindTheCartsBack(carts)));
    const order = await checkout(store, placed.orders, { userId: USER, body, correlationId: 'a' });
    expect(order.orderId).toBe('order-1');
    expect(carts.get(USER)).toMatchObject({ version: 2, items: [{ productId: mug.id }, { productId: cup.id }] });
    expect(events).toEqual([]);
  });

  it('changes nothing when the order service refuses', async () => {
    const { deps, store, carts } = fixture();
    await putItem(deps, USER, mug.id, 1);
    const before = carts.get(USER);
    const refusing: Orders = { place: async () => { throw new ProductNotForSaleError(); } };
    await expect(checkout(store, refusing, { userId: USER, body, correlationId: 'a' })).rejects.toBeInstanceOf(ProductNotForSaleError);
    expect(carts.get(USER)).toBe(before);
  });
});
