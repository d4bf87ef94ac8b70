import * as z from 'zod';
import { AccessToken, LoginRequest, RegisterRequest, UpdateMeRequest, UserProfile } from './api/users';
import {
  CreateProductRequest, ListProductsQuery, Product, ProductBatch, ProductBatchQuery, ProductPage, SearchPage, SearchProductsQuery, UpdateProductRequest,
} from './api/catalog';
import { Cart, CheckoutHeaders, CheckoutRequest, PutCartItemRequest } from './api/cart';
import { Id } from './api/common';
import { Health } from './api/edge';
import { RestockRequest, StockRecord } from './api/inventory';
import { ListOrdersQuery, Order, OrderPage, PlaceOrderHeaders, PlaceOrderRequest } from './api/orders';
import { Payment } from './api/payments';
import { DispatchRequest, Shipment } from './api/shipping';
import { ListNotificationsQuery, NotificationPage } from './api/notifications';
import { Dashboard } from './api/dashboard';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
/** `public`: anyone; `user`: any signed-in user; `admin`: the admin role only. */
export type Access = 'public' | 'user' | 'admin';
/** Who owns a route's function: a bounded context, or the gateway itself for edge routes. */
export type RouteOwner = 'users' | 'catalog' | 'cart' | 'inventory' | 'orders' | 'payments' | 'shipping' | 'notifications' | 'edge';

export interface RouteContract {
  readonly method: HttpMethod;
  readonly path: `/${string}`;
  readonly owner: RouteOwner;
  readonly access: Access;
  readonly summary: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** Request headers the route reads, names in lower case. */
  readonly headers?: z.ZodObject;
  /** Success responses by status code; error statuses are listed separately (problem+json). */
  readonly responses: Readonly<Record<number, { readonly description: string; readonly schema?: z.ZodType }>>;
  readonly errors: readonly number[];
}

const productParams = z.object({ productId: Id });
const orderParams = z.object({ orderId: Id });

/**
 * Every route of the public API. The one source for request validation in the handlers,
 * the API Gateway request models, the OpenAPI document and the wiring of the API stack;
 * a route's handler lives at `functions/<owner>/handlers/<kebab-case id>.ts`.
 */
export const routes = {
  register: {
    method: 'POST', path: '/auth/register', owner: 'users', access: 'public',
    summary: 'Create a customer account',
    body: RegisterRequest,
    responses: { 201: { description: 'The new profile', schema: UserProfile } },
    errors: [400, 409, 413],
  },
  login: {
    method: 'POST', path: '/auth/login', owner: 'users', access: 'public',
    summary: 'Exchange credentials for a short-lived access token (429 + Retry-After after 5 failed logins for the email)',
    body: LoginRequest,
    responses: { 200: { description: 'A bearer token', schema: AccessToken } },
    errors: [400, 401, 413, 429],
  },
  getMe: {
    method: 'GET', path: '/users/me', owner: 'users', access: 'user',
    summary: "The caller's profile",
    responses: { 200: { description: 'Profile', schema: UserProfile } },
    errors: [401, 404],
  },
  updateMe: {
    method: 'PATCH', path: '/users/me', owner: 'users', access: 'user',
    summary: "Change the caller's name",
    body: UpdateMeRequest,
    responses: { 200: { description: 'Profile', schema: UserProfile } },
    errors: [400, 401, 404, 413],
  },
  listProducts: {
    method: 'GET', path: '/products', owner: 'catalog', access: 'public',
    summary: 'Active products, optionally of one category',
    query: ListProductsQuery,
    responses: { 200: { description: 'A page of products', schema: ProductPage } },
    errors: [400],
  },
  searchProducts: {
    method: 'GET', path: '/products/search', owner: 'catalog', access: 'public',
    summary: 'Active products matching every word of q (case- and accent-insensitive, the last word also as a prefix), best match first',
    query: SearchProductsQuery,
    responses: { 200: { description: 'A page of search hits, each with its score', schema: SearchPage } },
    errors: [400],
  },
  getProductBatch: {
    method: 'GET', path: '/products/batch', owner: 'catalog', access: 'public',
    summary: 'Several active products at once (archived or unknown ids are listed as missing)',
    query: ProductBatchQuery,
    responses: { 200: { description: 'The products found and the ids missing', schema: ProductBatch } },
    errors: [400],
  },
  getProduct: {
    method: 'GET', path: '/products/{productId}', owner: 'catalog', access: 'public',
    summary: 'One active product',
    params: productParams,
    responses: { 200: { description: 'Product', schema: Product } },
    errors: [404],
  },
  createProduct: {
    method: 'POST', path: '/products', owner: 'catalog', access: 'admin',
    summary: 'Add a product to the catalog',
    body: CreateProductRequest,
    responses: { 201: { description: 'The new product', schema: Product } },
    errors: [400, 401, 403, 409, 413],
  },
  updateProduct: {
    method: 'PATCH', path: '/products/{productId}', owner: 'catalog', access: 'admin',
    summary: 'Change a product (version + 1)',
    params: productParams,
    body: UpdateProductRequest,
    responses: { 200: { description: 'The product after the change', schema: Product } },
    errors: [400, 401, 403, 404, 409, 413],
  },
  archiveProduct: {
    method: 'DELETE', path: '/products/{productId}', owner: 'catalog', access: 'admin',
    summary: 'Archive a product: no longer listed or orderable',
    params: productParams,
    responses: { 204: { description: 'Archived' } },
    errors: [401, 403, 404, 409],
  },
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
  getStock: {
    method: 'GET', path: '/inventory/{productId}', owner: 'inventory', access: 'public',
    summary: "A product's stock",
    params: productParams,
    responses: { 200: { description: 'Stock record', schema: StockRecord } },
    errors: [404],
  },
  restock: {
    method: 'POST', path: '/inventory/{productId}/restock', owner: 'inventory', access: 'admin',
    summary: 'Add units to the available stock',
    params: productParams,
    body: RestockRequest,
    responses: { 200: { description: 'The stock record after the change', schema: StockRecord } },
    errors: [400, 401, 403, 404, 409, 413],
  },
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
  getPayment: {
    method: 'GET', path: '/payments/{orderId}', owner: 'payments', access: 'user',
    summary: "The payment of one of the caller's orders (any for an admin)",
    params: orderParams,
    responses: { 200: { description: 'Payment', schema: Payment } },
    errors: [401, 404],
  },
  getShipment: {
    method: 'GET', path: '/shipments/{orderId}', owner: 'shipping', access: 'user',
    summary: "The shipment of one of the caller's orders (any for an admin)",
    params: orderParams,
    responses: { 200: { description: 'Shipment', schema: Shipment } },
    errors: [401, 404],
  },
  dispatchShipment: {
    method: 'POST', path: '/shipments/{orderId}/dispatch', owner: 'shipping', access: 'admin',
    summary: 'Hand a PREPARING shipment to its carrier; the order becomes SHIPPED',
    params: orderParams,
    body: DispatchRequest,
    responses: { 200: { description: 'The shipment, DISPATCHED', schema: Shipment } },
    errors: [400, 401, 403, 404, 409, 413],
  },
  deliverShipment: {
    method: 'POST', path: '/shipments/{orderId}/deliver', owner: 'shipping', access: 'admin',
    summary: 'Record the delivery of a DISPATCHED shipment; the order becomes DELIVERED',
    params: orderParams,
    responses: { 200: { description: 'The shipment, DELIVERED', schema: Shipment } },
    errors: [401, 403, 404, 409],
  },
  listNotifications: {
    method: 'GET', path: '/notifications', owner: 'notifications', access: 'user',
    summary: "The caller's notifications, newest first",
    query: ListNotificationsQuery,
    responses: { 200: { description: 'A page of notifications and the unread count', schema: NotificationPage } },
    errors: [400, 401],
  },
  dashboard: {
    method: 'GET', path: '/me/dashboard', owner: 'edge', access: 'user',
    summary: "The caller's profile, five latest orders and unread notifications; failing sections are named in `degraded`",
    responses: { 200: { description: 'Dashboard', schema: Dashboard } },
    errors: [401],
  },
  health: {
    method: 'GET', path: '/health', owner: 'edge', access: 'public',
    summary: "Every context's health",
    responses: { 200: { description: 'All checks pass', schema: Health } },
    errors: [503],
  },
  openApi: {
    method: 'GET', path: '/openapi.json', owner: 'edge', access: 'public',
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
    errors: [],
  },
} as const satisfies Record<string, RouteContract>;

export type RouteId = keyof typeof routes;

export function routesOf(owner: RouteOwner): [RouteId, RouteContract][] {
  return (Object.entries(routes) as [RouteId, RouteContract][]).filter(([, route]) => route.owner === owner);
}

/** `createProduct` → `create-product`: the handler's file name. */
export function handlerFileName(id: RouteId): string {
  return id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
