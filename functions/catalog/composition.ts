import { sharedConfig } from '../shared/environment';
import { dynamoProductStore } from './adapters/dynamo-product-store';

/**
 * The catalog context's composition root: the adapters its handlers use, configured from the
 * function's environment as the module loads, so a missing variable fails the cold start.
 */
export const productStore = dynamoProductStore(sharedConfig.tableName());
