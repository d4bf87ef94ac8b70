import { sharedConfig } from '../shared/environment';
import { dynamoShipmentStore } from './adapters/dynamo-shipment-store';

/**
 * The shipping context's composition root: the adapters its handlers use, configured from the
 * function's environment as the module loads, so a missing variable fails the cold start.
 */
export const shipmentStore = dynamoShipmentStore(sharedConfig.tableName());
