import { CommitStockInput } from '../../contracts/saga';
import { sagaStep } from '../../shared/saga-step';
import { inventoryStore } from '../composition';
import { commitStock } from '../domain/inventory';

/** Saga step of ConfirmOrder: the reserved units are sold. */
export const handler = sagaStep(CommitStockInput, ({ orderId }) => commitStock(inventoryStore, orderId));
