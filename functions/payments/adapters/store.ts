import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import { dynamoPaymentStore } from './dynamo-payment-store';

/** The store every payments handler shares, configured once at cold start. */
const config = readConfig({ [ENV.tableName]: z.string().min(1) });
export const paymentStore = dynamoPaymentStore(config[ENV.tableName]);
