import { ReserveStockInput } from '../../contracts/saga';
import { sagaTask } from '../../shared/saga-task';
import { inventoryStore } from '../composition';
import { reserveStock } from '../domain/inventory';

/** Saga task ReserveStock: fails with OutOfStock (the order is rejected) or TransientError (retried). */
export const handler = sagaTask(ReserveStockInput, (input) => reserveStock(inventoryStore, input));
