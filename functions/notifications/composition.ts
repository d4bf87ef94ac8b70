import { sharedConfig } from '../shared/environment';
import { dynamoNotificationStore } from './adapters/dynamo-notification-store';
import { recordingSender } from './adapters/recording-sender';
import { sesSender } from './adapters/ses-sender';
import type { NotificationSender } from './domain/sender';
import { notificationsConfig } from './notifications-config';

/**
 * The notifications context's composition root: the adapters its handlers use, configured from
 * the function's environment as the module loads, so a missing variable fails the cold start.
 */
const tableName = sharedConfig.tableName();
export const notificationStore = dynamoNotificationStore(tableName);

/**
 * The sender the stage chose (NOTIFICATION_SENDER), for the consumer that sends, which calls
 * this once as its module loads: `ses` without a valid From address fails that cold start
 * rather than the first message.
 */
export function notificationSender(): NotificationSender {
  const sender = notificationsConfig.sender();
  return sender.kind === 'record' ? recordingSender(tableName) : sesSender({ fromAddress: sender.fromAddress });
}
