import { ListOrdersQuery, Order, OrderPage, PlaceOrderHeaders, PlaceOrderRequest } from '../api/orders';
import { orderParams, type RouteContract } from '../route-contract';

/** The routes of orders: what its functions import instead of the whole API's (see routes.ts). */
export const ordersRoutes = {
  placeOrder: {
    method: 'POST', path: '/orders', owner: 'orders', access: 'user',
    summary: 'Place an order; the saga settles it within seconds (poll GET /orders/{orderId})',
    headers: PlaceOrderHeaders,
    body: PlaceOrderRequest,
    responses: { 202: { description: 'The order, PENDING', schema: Order } },
    errors: [400, 401, 409, 413, 422],
  },
  getOrder: {
    method: 'GET', path: '/orders/{orderId}', owner: 'orders', access: 'user',
    summary: 'One order of the caller (any order for an admin)',
    params: orderParams,
    responses: { 200: { description: 'Order', schema: Order } },
    errors: [401, 404],
  },
  listOrders: {
    method: 'GET', path: '/orders', owner: 'orders', access: 'user',
    summary: "The caller's orders, newest first",
    query: ListOrdersQuery,
    responses: { 200: { description: 'A page of orders', schema: OrderPage } },
    errors: [400, 401],
  },
  cancelOrder: {
    method: 'POST', path: '/orders/{orderId}/cancel', owner: 'orders', access: 'user',
    summary: 'Cancel a PENDING or CONFIRMED order (refund and stock return follow)',
    params: orderParams,
    responses: { 202: { description: 'The order; the cancellation completes asynchronously', schema: Order } },
    errors: [401, 404, 409],
  },
} as const satisfies Record<string, RouteContract>;
