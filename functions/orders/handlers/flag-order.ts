import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { FlagOrderInput } from '../../contracts/saga';
import { logger, metrics } from '../../shared/observability';
import { sagaTask } from '../../shared/saga-task';
import { orderStore } from '../composition';
import { flagOrder } from '../domain/saga-tasks';
import { ORDERS_NEEDING_OPERATOR_METRIC } from '../orders-config';

/** FlagOrder: a compensation kept failing; the order waits for an operator, and the metric raises the alarm. */
export const handler = sagaTask(FlagOrderInput, async (input) => {
  const result = await flagOrder(orderStore, input);
  if (result.newlyFlagged) {
    metrics.addMetric(ORDERS_NEEDING_OPERATOR_METRIC, MetricUnit.Count, 1);
    logger.error('Order needs an operator', { error: input.error, cause: input.cause });
  }
  return result;
});
