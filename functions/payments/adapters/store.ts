import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import { dynamoPaymentStore } from './dynamo-payment-store';
import { simulatedProvider } from './simulated-provider';

/** The store (and provider) every payments handler shares, configured once at cold start. */
const config = readConfig({ [ENV.tableName]: z.string().min(1) });
export const paymentStore = dynamoPaymentStore(config[ENV.tableName]);
export const paymentProvider = simulatedProvider(config[ENV.tableName]);
