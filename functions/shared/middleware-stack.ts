/**
 * The middleware stack every handler starts from (routes, event consumers, saga tasks, the
 * outbox relay), applying the instruments of observability.ts: structured logs with the Lambda
 * context and metrics flushed after each invocation (cold starts counted). The trace segment is
 * Lambda's own (active tracing): see observability.ts.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { logger, metrics } from './observability';

export function withObservability<Event, Result>() {
  return middy<Event, Result>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
