/**
 * The variables the CDK app sets on the cart functions, and their loaders. Imports nothing but
 * zod, the reader and the fault switch's names, so the CDK app can use the names without loading
 * runtime code. (The API's address is the shared ENV.apiUrl, set at deploy time.)
 */
import * as z from 'zod';
import { baseUrl, readConfig } from '../shared/config';
import { ENV } from '../shared/environment';
import { FAULT_INJECTION_ENABLED, FAULT_INJECTION_ENV, faultSwitchOn } from '../shared/resilience/fault-injection';

export const CART_ENV = {
  /** `enabled` turns on X-Fault-Inject (`catalog`); offline and non-prod stages only, refused in prod. */
  faultInjection: FAULT_INJECTION_ENV,
  /** Optional tuning, in milliseconds: one catalog call's timeout (default 2000). */
  catalogTimeoutMs: 'CART_CATALOG_TIMEOUT_MS',
  /** Optional tuning, in milliseconds: the budget of the catalog calls of one request, retries included (default 4000). */
  catalogDeadlineMs: 'CART_CATALOG_DEADLINE_MS',
  /** Optional tuning, in milliseconds: one POST /orders call's timeout (default 8000). */
  ordersTimeoutMs: 'CART_ORDERS_TIMEOUT_MS',
  /** Optional tuning, in milliseconds: the budget of placing the order, retries included (default 15000). */
  ordersDeadlineMs: 'CART_ORDERS_DEADLINE_MS',
} as const;
export { FAULT_INJECTION_ENABLED };

export interface CartCallsConfig {
  /** Where the API is: deploy-time configuration, never anything a request carries. */
  readonly apiUrl: string;
  readonly faultInjection: boolean;
  readonly catalog: { readonly timeoutMs: number; readonly deadlineMs: number };
  readonly orders: { readonly timeoutMs: number; readonly deadlineMs: number };
}

const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const cartConfig = {
  /** How the functions call the API; every problem named at once, the fault switch refused in prod. */
  calls: (): CartCallsConfig => {
    const config = readConfig({
      [ENV.apiUrl]: baseUrl,
      [CART_ENV.faultInjection]: z.enum([FAULT_INJECTION_ENABLED, 'disabled']).optional(),
      [ENV.stage]: z.string().optional(),
      [CART_ENV.catalogTimeoutMs]: millis(2000),
      [CART_ENV.catalogDeadlineMs]: millis(4000),
      [CART_ENV.ordersTimeoutMs]: millis(8000),
      [CART_ENV.ordersDeadlineMs]: millis(15000),
    });
    return {
      apiUrl: config[ENV.apiUrl],
      faultInjection: faultSwitchOn(config[CART_ENV.faultInjection], config[ENV.stage]),
      catalog: { timeoutMs: config[CART_ENV.catalogTimeoutMs], deadlineMs: config[CART_ENV.catalogDeadlineMs] },
      orders: { timeoutMs: config[CART_ENV.ordersTimeoutMs], deadlineMs: config[CART_ENV.ordersDeadlineMs] },
    };
  },
};
