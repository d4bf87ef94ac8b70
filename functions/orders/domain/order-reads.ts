import type { Caller } from '../../shared/auth/authenticate';
import { paginate, type Page, type PageQuery } from '../../shared/paging';
import { canSee, OrderNotFoundError, toOrderView, type Order } from './order';
import type { OrderStore, StoredOrder } from './orders';

/**
 * The reads of orders, apart from the changes in orders.ts, which import the events and saga
 * inputs they publish and start: GET /orders/{orderId} and GET /orders build none of those schemas
 * at their cold start.
 */

export async function getOrder(store: OrderStore, orderId: string, caller: Caller): Promise<Order> {
  const stored = await store.get(orderId);
  if (!stored || !canSee(stored.state, caller)) throw new OrderNotFoundError();
  return toOrderView(stored.state, stored.events);
}

/** A cursor belongs to one customer's listing: another customer's cursor is no cursor here. */
function listingScope(customerId: string): string {
  return `orders:customer:${customerId}`;
}

/** The caller's orders, newest first; a cursor holds the last order of the page it ends. */
export async function listOrders(store: OrderStore, customerId: string, query: PageQuery, cursorKey: Buffer): Promise<Page<Order>> {
  const { items, nextCursor } = await paginate({
    scope: listingScope(customerId),
    key: cursorKey,
    fields: ['createdAt', 'orderId'],
    positionOf: ({ state }: StoredOrder) => ({ createdAt: state.createdAt, orderId: state.orderId }),
    read: (after, limit) => store.listByCustomer(customerId, { after, limit }),
  }, query);
  return { items: items.map(({ state, events }) => toOrderView(state, events)), nextCursor };
}
