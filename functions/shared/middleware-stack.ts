/**
 * The middleware stack every handler starts from (routes, event consumers, saga tasks, the
 * outbox relay), applying the three instruments of observability.ts: structured logs with the
 * Lambda context, metrics flushed after each invocation (cold starts counted), and a trace segment.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { logger, metrics, tracer } from './observability';

export function withObservability<Event, Result>() {
  return middy<Event, Result>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }));
}
