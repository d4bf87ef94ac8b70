import { ReleaseStockInput } from '../../contracts/saga';
import { sagaTask } from '../../shared/saga-task';
import { inventoryStore } from '../composition';
import { releaseStock } from '../domain/inventory';

/** Saga compensation ReleaseStock: a no-op for an order whose units are not held. */
export const handler = sagaTask(ReleaseStockInput, ({ orderId, reason, correlationId }) =>
  releaseStock(inventoryStore, orderId, reason, correlationId),
);
