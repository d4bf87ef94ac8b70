import { sharedConfig } from '../shared/environment';
import { dynamoCatalogCopyStore, dynamoOrderStore } from './adapters/dynamo-order-store';
import { stepFunctionsSaga } from './adapters/step-functions-saga';
import type { SagaStarter } from './domain/orders';
import { ordersConfig } from './orders-config';

/**
 * The orders context's composition root: the adapters its handlers use, configured from the
 * function's environment as the module loads, so a missing variable fails the cold start.
 */
const tableName = sharedConfig.tableName();
// Read at each append (a cheap parse): only the functions that append events have the variable.
export const orderStore = dynamoOrderStore(tableName, { snapshotEvery: ordersConfig.snapshotEvery });
export const catalogCopies = dynamoCatalogCopyStore(tableName);

// Only the functions that start a saga have its variable: each calls its builder once, as its
// handler module loads. (Shipping's claim of a shipment is composed in claim-composition.ts.)

/** The order saga, for the consumer of OrderPlaced. */
export const orderSaga = (): SagaStarter => stepFunctionsSaga(ordersConfig.orderSagaArn());
/** The cancellation saga of confirmed orders, for POST /orders/{orderId}/cancel. */
export const cancellationSaga = (): SagaStarter => stepFunctionsSaga(ordersConfig.cancellationSagaArn());
