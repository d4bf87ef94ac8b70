import { ReturnStockInput } from '../../contracts/saga';
import { sagaTask } from '../../shared/saga-task';
import { inventoryStore } from '../composition';
import { returnStock } from '../domain/inventory';

/** Cancellation of a confirmed order: its sold units go back on the shelf. */
export const handler = sagaTask(ReturnStockInput, ({ orderId, correlationId }) => returnStock(inventoryStore, orderId, correlationId));
