import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/dynamo/document-client';
import { nowIso } from '../../shared/ids';
import type { NotificationSender } from '../domain/sender';

/** Recorded messages stand in for an outbox of mail, not for a history: the notifications are the record. */
const MESSAGE_RETENTION_SECONDS = 30 * 24 * 60 * 60;

export const messageKey = (notificationId: string) => ({ pk: `MESSAGE#${notificationId}`, sk: 'MESSAGE' });

/**
 * The default sender everywhere: writes each message, addressed as it would be mailed, to the
 * notifications table instead of sending it, so every target (AWS without a verified SES
 * identity, LocalStack, offline) shows what would have gone out. One item per notification: a
 * resend overwrites it with the same message.
 */
export function recordingSender(tableName: string): NotificationSender {
  const db = documentClient();
  return {
    async send(message) {
      const recordedAt = nowIso();
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...messageKey(message.notificationId),
            kind: 'message',
            channel: 'email',
            notificationId: message.notificationId,
            userId: message.to.userId,
            to: message.to.email,
            toName: message.to.name,
            subject: message.subject,
            body: message.body,
            recordedAt,
            ttl: Math.floor(Date.parse(recordedAt) / 1000) + MESSAGE_RETENTION_SECONDS,
          },
        }),
      );
    },
  };
}
