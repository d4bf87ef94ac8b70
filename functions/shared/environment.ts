import * as z from 'zod';
import { baseUrl, nonEmpty, readVariable } from './config';

/**
 * Names of the environment variables that the CDK app sets on functions of every context, and
 * their loaders. Imports nothing but zod and the reader, so the CDK app can use the names
 * without loading runtime code.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  signingSecretArn: 'SIGNING_SECRET_ARN',
  allowedOrigin: 'ALLOWED_ORIGIN',
  /** The public API's base URL, set at deploy time, for functions that call its routes as the caller. */
  apiUrl: 'COMMERCE_API_URL',
  /** The deployment stage's name (ServiceFunction sets it on every function). */
  stage: 'STAGE',
} as const;

/** The CloudWatch namespace of every function's metrics (and of the alarms on them). */
export const METRICS_NAMESPACE = 'Commerce';

/**
 * The loaders of those variables: each reads and checks its variable when called, which the
 * composition roots do as their module loads, so a missing one fails the cold start.
 */
export const sharedConfig = {
  tableName: () => readVariable(ENV.tableName, nonEmpty),
  eventBusName: () => readVariable(ENV.eventBusName, nonEmpty),
  apiUrl: () => readVariable(ENV.apiUrl, baseUrl),
  /** The CORS origin of the functions' answers; `*` unless the stack names one. */
  allowedOrigin: () => readVariable(ENV.allowedOrigin, z.string().default('*')),
  stage: () => readVariable(ENV.stage, z.string().optional()),
};
