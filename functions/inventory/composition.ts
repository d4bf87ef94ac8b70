import { sharedConfig } from '../shared/environment';
import { dynamoInventoryStore } from './adapters/dynamo-inventory-store';

/**
 * The inventory context's composition root: the adapters its handlers use, configured from the
 * function's environment as the module loads, so a missing variable fails the cold start.
 */
export const inventoryStore = dynamoInventoryStore(sharedConfig.tableName());
