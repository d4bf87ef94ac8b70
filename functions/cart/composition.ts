import { sharedConfig } from '../shared/environment';
import { dynamoCartStore } from './adapters/dynamo-cart-store';

/**
 * The cart context's composition root: its store, configured from the function's environment as
 * the module loads, so a missing variable fails the cold start. The routes that call the API
 * compose their clients in api-composition.ts (only they get its address and the grant to read it).
 */
export const cartStore = dynamoCartStore(sharedConfig.tableName());
