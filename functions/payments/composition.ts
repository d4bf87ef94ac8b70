import { sharedConfig } from '../shared/environment';
import { dynamoPaymentStore } from './adapters/dynamo-payment-store';
import { simulatedProvider } from './adapters/simulated-provider';

/**
 * The payments context's composition root: the adapters its handlers use, configured from the
 * function's environment as the module loads, so a missing variable fails the cold start.
 */
const tableName = sharedConfig.tableName();
export const paymentStore = dynamoPaymentStore(tableName);
export const paymentProvider = simulatedProvider(tableName);
