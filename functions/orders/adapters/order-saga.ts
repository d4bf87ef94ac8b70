import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ORDERS_ENV } from '../orders-config';
import { stepFunctionsSaga } from './step-functions-saga';

/** The order saga, configured once at cold start of the function that starts it (the OrderPlaced consumer). */
const config = readConfig({ [ORDERS_ENV.orderSagaArn]: z.string().min(1) });
export const orderSaga = stepFunctionsSaga(config[ORDERS_ENV.orderSagaArn]);
