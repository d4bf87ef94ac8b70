/**
 * Environment variables of the dashboard function. Import-free so the CDK app can use them
 * without loading runtime code.
 */

/**
 * `enabled` turns on the X-Fault-Inject test switch (adapters/fault-injection.ts). Set it only
 * in the offline runtime and non-prod stages: a function with STAGE=prod refuses to start with it.
 */
export const FAULT_INJECTION_ENV = 'FAULT_INJECTION';
export const FAULT_INJECTION_ENABLED = 'enabled';

/** Optional tuning, in milliseconds: each dependency call's timeout (default 1500). */
export const CALL_TIMEOUT_ENV = 'DASHBOARD_CALL_TIMEOUT_MS';
/** Optional tuning, in milliseconds: the budget of the whole dashboard, retries included (default 3000). */
export const DEADLINE_ENV = 'DASHBOARD_DEADLINE_MS';
