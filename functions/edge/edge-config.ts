import * as z from 'zod';
import { baseUrl, readConfig } from '../shared/config';
import { ENV } from '../shared/environment';

/**
 * The variables the API stack sets on the edge functions (health and dashboard), and their
 * loaders. Imports nothing but zod and the reader, so the CDK app can use the names without
 * loading runtime code.
 */

/** JSON object of context name → table name, checked by GET /health. */
export const HEALTH_TABLES_ENV = 'HEALTH_TABLES';

/**
 * `enabled` turns on the X-Fault-Inject test switch (dashboard/adapters/fault-injection.ts). Set
 * it only in the offline runtime and non-prod stages: a function with STAGE=prod refuses to
 * start with it.
 */
export const FAULT_INJECTION_ENV = 'FAULT_INJECTION';
export const FAULT_INJECTION_ENABLED = 'enabled';

/** Optional tuning, in milliseconds: each dependency call's timeout (default 1500). */
export const CALL_TIMEOUT_ENV = 'DASHBOARD_CALL_TIMEOUT_MS';
/** Optional tuning, in milliseconds: the budget of the whole dashboard, retries included (default 3000). */
export const DEADLINE_ENV = 'DASHBOARD_DEADLINE_MS';

export interface DashboardConfig {
  /** Where the API is: deploy-time configuration, never anything a request carries. */
  readonly apiUrl: string;
  readonly faultInjection: boolean;
  readonly callTimeoutMs: number;
  readonly deadlineMs: number;
}

export const edgeConfig = {
  /** The table of each context, by context name. */
  healthTables: (): Record<string, string> =>
    readConfig({
      [HEALTH_TABLES_ENV]: z
        .string()
        .transform((raw) => JSON.parse(raw) as unknown)
        .pipe(z.record(z.string(), z.string().min(1))),
    })[HEALTH_TABLES_ENV],

  /** Every problem named at once; the fault switch refused outright in prod. */
  dashboard: (): DashboardConfig => {
    const config = readConfig({
      [ENV.apiUrl]: baseUrl,
      [FAULT_INJECTION_ENV]: z.enum([FAULT_INJECTION_ENABLED, 'disabled']).optional(),
      [ENV.stage]: z.string().optional(),
      [CALL_TIMEOUT_ENV]: z.coerce.number().int().positive().default(1500),
      [DEADLINE_ENV]: z.coerce.number().int().positive().default(3000),
    });
    const faultInjection = config[FAULT_INJECTION_ENV] === FAULT_INJECTION_ENABLED;
    if (faultInjection && config[ENV.stage] === 'prod') {
      throw new Error(`Invalid function configuration: ${FAULT_INJECTION_ENV} must never be enabled in prod`);
    }
    return { apiUrl: config[ENV.apiUrl], faultInjection, callTimeoutMs: config[CALL_TIMEOUT_ENV], deadlineMs: config[DEADLINE_ENV] };
  },
};
