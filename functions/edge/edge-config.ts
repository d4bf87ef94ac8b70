/**
 * The variables the API stack sets on the edge functions (health and dashboard), and their
 * loaders. Imports nothing but zod and the reader, so the CDK app can use the names without
 * loading runtime code.
 */
import * as z from 'zod';
import { baseUrl, readConfig } from '../shared/config';
import { ENV } from '../shared/environment';
import { FAULT_INJECTION_ENABLED, FAULT_INJECTION_ENV, faultSwitchOn } from '../shared/resilience/fault-injection';

/** The variables the API stack sets on the edge functions, by what they mean. */
export const EDGE_ENV = {
  /** JSON object of context name → table name, checked by GET /health. */
  healthTables: 'HEALTH_TABLES',
  /**
   * `enabled` turns on the X-Fault-Inject test switch (shared/resilience/fault-injection.ts). Set
   * it only in the offline runtime and non-prod stages: a function with STAGE=prod refuses to
   * start with it.
   */
  faultInjection: FAULT_INJECTION_ENV,
  /** Optional tuning, in milliseconds: each dependency call's timeout (default 1500). */
  callTimeoutMs: 'DASHBOARD_CALL_TIMEOUT_MS',
  /** Optional tuning, in milliseconds: the budget of the whole dashboard, retries included (default 3000). */
  deadlineMs: 'DASHBOARD_DEADLINE_MS',
} as const;
export { FAULT_INJECTION_ENABLED };

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
      [EDGE_ENV.healthTables]: z
        .string()
        .transform((raw) => JSON.parse(raw) as unknown)
        .pipe(z.record(z.string(), z.string().min(1))),
    })[EDGE_ENV.healthTables],

  /** Every problem named at once; the fault switch refused outright in prod. */
  dashboard: (): DashboardConfig => {
    const config = readConfig({
      [ENV.apiUrl]: baseUrl,
      [EDGE_ENV.faultInjection]: z.enum([FAULT_INJECTION_ENABLED, 'disabled']).optional(),
      [ENV.stage]: z.string().optional(),
      [EDGE_ENV.callTimeoutMs]: z.coerce.number().int().positive().default(1500),
      [EDGE_ENV.deadlineMs]: z.coerce.number().int().positive().default(3000),
    });
    const faultInjection = faultSwitchOn(config[EDGE_ENV.faultInjection], config[ENV.stage]);
    return { apiUrl: config[ENV.apiUrl], faultInjection, callTimeoutMs: config[EDGE_ENV.callTimeoutMs], deadlineMs: config[EDGE_ENV.deadlineMs] };
  },
};
