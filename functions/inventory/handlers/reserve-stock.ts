import { ReserveStockInput } from '../../contracts/saga';
import { sagaStep } from '../../shared/saga-step';
import { inventoryStore } from '../composition';
import { reserveStock } from '../domain/inventory';

/** Saga step ReserveStock: fails with OutOfStock (the order is rejected) or TransientError (retried). */
export const handler = sagaStep(ReserveStockInput, (input) => reserveStock(inventoryStore, input));
