import { Cart, CheckoutHeaders, CheckoutRequest, PutCartItemRequest } from '../api/cart';
import { Order } from '../api/orders';
import { productParams, type RouteContract } from '../route-contract';

/** The routes of cart: what its functions import instead of the whole API's (see routes.ts). */
export const cartRoutes = {
  getCart: {
    method: 'GET', path: '/cart', owner: 'cart', access: 'user',
    summary: "The caller's cart at the catalog's current prices (the saved ones, with degraded: [\"prices\"], when the catalog does not answer)",
    responses: { 200: { description: 'Cart', schema: Cart } },
    errors: [401],
  },
  putCartItem: {
    method: 'PUT', path: '/cart/items/{productId}', owner: 'cart', access: 'user',
    summary: "Set a product's quantity in the caller's cart (503 + Retry-After, nothing changed, when the catalog cannot confirm it)",
    params: productParams,
    body: PutCartItemRequest,
    responses: { 200: { description: 'The cart after the change', schema: Cart } },
    errors: [400, 401, 409, 413, 422, 503],
  },
  deleteCartItem: {
    method: 'DELETE', path: '/cart/items/{productId}', owner: 'cart', access: 'user',
    summary: "Take a product out of the caller's cart (also when it was not there)",
    params: productParams,
    responses: { 200: { description: 'The cart after the change', schema: Cart } },
    errors: [401, 409],
  },
  clearCart: {
    method: 'DELETE', path: '/cart', owner: 'cart', access: 'user',
    summary: "Empty the caller's cart",
    responses: { 204: { description: 'Emptied' } },
    errors: [401, 409],
  },
  checkout: {
    method: 'POST', path: '/cart/checkout', owner: 'cart', access: 'user',
    summary: "Place an order from the caller's cart (POST /orders) and empty it; checking out the same cart twice yields one order",
    headers: CheckoutHeaders,
    body: CheckoutRequest,
    responses: { 202: { description: 'The order, PENDING', schema: Order } },
    errors: [400, 401, 409, 413, 422, 503],
  },
} as const satisfies Record<string, RouteContract>;
