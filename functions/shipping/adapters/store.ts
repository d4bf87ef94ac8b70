import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import { dynamoShipmentStore } from './dynamo-shipment-store';

/** The store every shipping handler shares, configured once at cold start. */
const config = readConfig({ [ENV.tableName]: z.string().min(1) });
export const shipmentStore = dynamoShipmentStore(config[ENV.tableName]);
