import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import { dynamoNotificationStore } from './dynamo-notification-store';

/** The store every notifications handler shares, configured once at cold start. */
const config = readConfig({ [ENV.tableName]: z.string().min(1) });
export const notificationStore = dynamoNotificationStore(config[ENV.tableName]);
