import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import { dynamoCatalogCopyStore, dynamoOrderStore } from './dynamo-order-store';

/** The stores every orders function shares, configured once at cold start. */
const config = readConfig({ [ENV.tableName]: z.string().min(1) });
export const orderStore = dynamoOrderStore(config[ENV.tableName]);
export const catalogCopies = dynamoCatalogCopyStore(config[ENV.tableName]);
