import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import { dynamoLoginThrottle } from './dynamo-login-throttle';
import { dynamoUserStore } from './dynamo-user-store';

/** The store every users handler shares, configured once at cold start. */
const config = readConfig({ [ENV.tableName]: z.string().min(1) });
export const userStore = dynamoUserStore(config[ENV.tableName]);
export const loginThrottle = dynamoLoginThrottle(config[ENV.tableName]);
