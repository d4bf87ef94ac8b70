import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import { dynamoInventoryStore } from './dynamo-inventory-store';

/** The store every inventory handler shares, configured once at cold start. */
const config = readConfig({ [ENV.tableName]: z.string().min(1) });
export const inventoryStore = dynamoInventoryStore(config[ENV.tableName]);
