import { CommitStockInput } from '../../contracts/saga';
import { sagaTask } from '../../shared/saga-task';
import { inventoryStore } from '../composition';
import { commitStock } from '../domain/inventory';

/** Saga task of ConfirmOrder: the reserved units are sold. */
export const handler = sagaTask(CommitStockInput, ({ orderId }) => commitStock(inventoryStore, orderId));
