import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import { dynamoProductStore } from './dynamo-product-store';

/** The store every catalog handler shares, configured once at cold start. */
const config = readConfig({ [ENV.tableName]: z.string().min(1) });
export const productStore = dynamoProductStore(config[ENV.tableName]);
