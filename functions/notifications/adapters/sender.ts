import * as z from 'zod';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import type { NotificationSender } from '../domain/sender';
import { NOTIFICATION_SENDERS, NOTIFICATIONS_ENV } from '../notifications-config';
import { recordingSender } from './recording-sender';
import { sesSender } from './ses-sender';

/**
 * The sender the stage configured (NOTIFICATION_SENDER), chosen once at cold start; `ses`
 * without a valid From address fails the cold start rather than the first message.
 */
function configuredSender(): NotificationSender {
  const { [NOTIFICATIONS_ENV.sender]: kind, [ENV.tableName]: tableName } = readConfig({
    [NOTIFICATIONS_ENV.sender]: z.enum(NOTIFICATION_SENDERS).default('record'),
    [ENV.tableName]: z.string().min(1),
  });
  if (kind === 'record') return recordingSender(tableName);
  const ses = readConfig({ [NOTIFICATIONS_ENV.fromAddress]: z.email() });
  return sesSender({ fromAddress: ses[NOTIFICATIONS_ENV.fromAddress] });
}

export const notificationSender = configuredSender();
