import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ORDERS_ENV } from '../orders-config';
import { stepFunctionsSaga } from './step-functions-saga';

/** The cancellation saga of confirmed orders, configured once at cold start of the function that starts it. */
const config = readConfig({ [ORDERS_ENV.cancellationSagaArn]: z.string().min(1) });
export const cancellationSaga = stepFunctionsSaga(config[ORDERS_ENV.cancellationSagaArn]);
