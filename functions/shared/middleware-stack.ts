/**
 * The middleware stack every handler starts from (routes, event consumers, saga tasks, the
 * outbox relay), applying the instruments of observability.ts: structured logs with the Lambda
 * context, and the metrics an invocation recorded flushed after it (cold starts counted). The
 * trace segment is Lambda's own (active tracing): see observability.ts.
 */
import middy from '@middy/core';
import type { MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger, metrics } from './observability';

/**
 * Powertools' logMetrics, except that an invocation that recorded no metric writes nothing:
 * logMetrics flushes every invocation, and an empty flush logs a warning instead, so a route that
 * counts nothing of its own would write a line per request to its log group.
 */
function flushRecordedMetrics(): MiddlewareObj {
  const flush = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: (request) => metrics.captureColdStartMetric(request.context.functionName),
    after: flush,
    onError: flush,
  };
}

export function withObservability<Event, Result>() {
  return middy<Event, Result>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(flushRecordedMetrics());
}
