import type * as z from 'zod';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics, withObservability } from './observability';

export { SagaStepError, type SagaErrorName } from './saga-error';

/**
 * The one way to write a task function of the saga: the input is parsed with its contract
 * (a malformed input is a fault, never a silent success), the result returned to the state
 * machine as is. Steps must be idempotent per order: Step Functions retries them.
 */
export function sagaStep<S extends z.ZodType, R>(input: S, step: (input: z.output<S>) => Promise<R>) {
  return withObservability<unknown, R>().handler(async (event) => {
    const parsed = input.parse(event);
    const { orderId, correlationId } = parsed as { orderId?: string; correlationId?: string };
    logger.appendKeys({ orderId, correlationId });
    try {
      return await step(parsed);
    } finally {
      // Every run counts, failed ones included: the retry rate of a step shows here.
      metrics.addMetric('SagaStepRuns', MetricUnit.Count, 1);
    }
  });
}
