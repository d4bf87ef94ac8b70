/**
 * Names of the environment variables that the CDK app sets and the functions read.
 * Kept free of imports so the CDK app can use it without loading runtime code.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  signingSecretArn: 'SIGNING_SECRET_ARN',
  allowedOrigin: 'ALLOWED_ORIGIN',
  /** The public API's base URL, set at deploy time, for functions that call its routes as the caller. */
  apiUrl: 'COMMERCE_API_URL',
} as const;

/** The CloudWatch namespace of every function's metrics (and of the alarms on them). */
export const METRICS_NAMESPACE = 'Commerce';
