import { ReturnStockInput } from '../../contracts/saga';
import { sagaStep } from '../../shared/saga-step';
import { inventoryStore } from '../composition';
import { returnStock } from '../domain/inventory';

/** Cancellation of a confirmed order: its sold units go back on the shelf. */
export const handler = sagaStep(ReturnStockInput, ({ orderId, correlationId }) => returnStock(inventoryStore, orderId, correlationId));
