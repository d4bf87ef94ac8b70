/**
 * The function's logger, metrics and tracer: one instance of each per execution environment;
 * service name and namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE set
 * by ServiceFunction. Free of the middleware, so code that also runs outside a handler (the
 * admin script, the offline runtime) can load the stores without Middy.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();
