import * as z from 'zod';
import { Id } from './api/common';

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

/** Path parameters several owners' routes share. */
export const productParams = z.object({ productId: Id });
export const orderParams = z.object({ orderId: Id });
