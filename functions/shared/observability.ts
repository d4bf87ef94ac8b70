import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

// One instance of each per execution environment; service name and namespace come from
// POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE set by ServiceFunction.
export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();

/**
 * The middleware stack every function starts from, applying the three: structured logs with
 * the Lambda context, metrics flushed after each invocation (cold starts counted), and a trace
 * segment.
 */
export function withObservability<Event, Result>() {
  return middy<Event, Result>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }));
}
