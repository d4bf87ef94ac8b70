import type * as z from 'zod';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from './observability';
import { withObservability } from './middleware-stack';

export { SagaTaskError, type SagaErrorName } from './saga-error';

/**
 * The one way to write a task function of the saga: the input is parsed with its contract
 * (a malformed input is a fault, never a silent success), the result returned to the state
 * machine as is. Tasks must be idempotent per order: Step Functions retries them.
 */
export function sagaTask<S extends z.ZodType, R>(input: S, task: (input: z.output<S>) => Promise<R>) {
  return withObservability<unknown, R>().handler(async (event) => {
    const parsed = input.parse(event);
    const { orderId, correlationId } = parsed as { orderId?: string; correlationId?: string };
    logger.appendKeys({ orderId, correlationId });
    try {
      return await task(parsed);
    } finally {
      // Every run counts, failed ones included: the retry rate of a task shows here.
      metrics.addMetric('SagaTaskRuns', MetricUnit.Count, 1);
    }
  });
}
