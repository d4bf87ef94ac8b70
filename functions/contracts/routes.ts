import { usersRoutes } from './routes/users';
import { catalogRoutes } from './routes/catalog';
import { cartRoutes } from './routes/cart';
import { inventoryRoutes } from './routes/inventory';
import { ordersRoutes } from './routes/orders';
import { paymentsRoutes } from './routes/payments';
import { shippingRoutes } from './routes/shipping';
import { notificationsRoutes } from './routes/notifications';
import { edgeRoutes } from './routes/edge';
import type { RouteContract, RouteOwner } from './route-contract';

export type { Access, HttpMethod, RouteContract, RouteOwner } from './route-contract';

/**
 * Every route of the public API. The one source for request validation in the handlers,
 * the API Gateway request models, the OpenAPI document and the wiring of the API stack;
 * a route's handler lives at `functions/<owner>/handlers/<kebab-case id>.ts`.
 *
 * Each owner's routes live in routes/<owner>.ts, and a function imports those of the routes it
 * serves or calls, never this merge: building a zod schema is the costliest part of a route
 * function's cold start after the SDK, and this object would build every schema of the API
 * (test/infra/platform/bundle.test.ts holds the bundles to it; the OpenAPI function alone needs them all).
 */
export const routes = {
  ...usersRoutes,
  ...catalogRoutes,
  ...cartRoutes,
  ...inventoryRoutes,
  ...ordersRoutes,
  ...paymentsRoutes,
  ...shippingRoutes,
  ...notificationsRoutes,
  ...edgeRoutes,
} as const satisfies Record<string, RouteContract>;

export type RouteId = keyof typeof routes;

export function routesOf(owner: RouteOwner): [RouteId, RouteContract][] {
  return (Object.entries(routes) as [RouteId, RouteContract][]).filter(([, route]) => route.owner === owner);
}

/** `createProduct` → `create-product`: the handler's file name. */
export function handlerFileName(id: RouteId): string {
  return id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
