import { DynamoTable, itemKey, presentFields, putNew, type Item } from '../../shared/dynamo';
import { nowIso } from '../../shared/ids';
import type { Contact, StoredNotification } from '../domain/notification';
import type { ListingPosition, NotificationStore } from '../domain/notifications';

/**
 * Items of the notifications table (no index: every read is by key):
 * - `NOTIFICATIONS#<userId>`/`<createdAt>#<id>`: a notification. Its id is the id of the event
 *   that caused it and `createdAt` the time that event occurred, so a redelivered event maps to
 *   the same key and its conditional put fails; a user's notifications are one partition,
 *   newest first when queried backwards.
 * - `USER#<userId>`/`UNREAD`: how many of the user's notifications are unread (`unread`), added
 *   to in the transaction that stores a notification, so it never counts one twice.
 * - `USER#<userId>`/`CONTACT`: this context's copy of the user's contact details (UserRegistered).
 * - `MESSAGE#<notificationId>`/`MESSAGE`: a message as the recording sender took it (see
 *   recording-sender.ts), removed by TTL.
 */
const notificationPartition = (userId: string) => `NOTIFICATIONS#${userId}`;
const listingKey = ({ createdAt, id }: ListingPosition) => `${createdAt}#${id}`;
const notificationKey = (notification: Pick<StoredNotification, 'userId' | 'createdAt' | 'id'>) =>
  itemKey(notificationPartition(notification.userId), listingKey(notification));
const userKey = (userId: string, sk: 'UNREAD' | 'CONTACT') => itemKey(`USER#${userId}`, sk);

function toNotification(item: Item): StoredNotification {
  const { id, userId, type, orderId, subject, body, read, createdAt, delivery } = item as unknown as StoredNotification;
  return { id, userId, type, subject, body, read, createdAt, delivery, ...presentFields({ orderId }) };
}

export function dynamoNotificationStore(tableName: string): NotificationStore {
  const table = new DynamoTable(tableName);
  return {
    async add(notification, contact) {
      const counted = {
        Update: {
          Key: userKey(notification.userId, 'UNREAD'),
          UpdateExpression: 'SET kind = :kind ADD unread :one',
          ExpressionAttributeValues: { ':kind': 'unreadCounter', ':one': 1 },
        },
      };
      const contactCopy = contact ? [{ Put: { Item: { ...userKey(contact.userId, 'CONTACT'), kind: 'contact', ...contact } } }] : [];
      const result = await table.transact([putNew({ ...notificationKey(notification), kind: 'notification', ...notification }), counted, ...contactCopy]);
      if (result.written) return { created: true, notification };
      if (!result.failed[0]) throw result.error;
      // A redelivery: the transaction changed nothing, and the first delivery's notification stands.
      const item = await table.get(notificationKey(notification));
      if (!item) throw new Error('A notification refused as a duplicate is missing');
      return { created: false, notification: toNotification(item) };
    },

    async contact(userId) {
      const item = await table.get(userKey(userId, 'CONTACT'), { consistent: false });
      if (!item) return undefined;
      const { email, name } = item as unknown as Contact;
      return { userId, email, name };
    },

    async settleDelivery(notification, delivery) {
      // False when a concurrent delivery of the same event settled it first: its record stands.
      await table.updateIf({
        Key: notificationKey(notification),
        UpdateExpression: 'SET delivery = :delivery, settledAt = :now',
        ConditionExpression: 'delivery = :pending',
        ExpressionAttributeValues: { ':delivery': delivery, ':now': nowIso(), ':pending': 'PENDING' },
      });
    },

    async list(userId, { before, limit }) {
      const query = { partition: notificationPartition(userId), below: before && listingKey(before), newestFirst: true };
      return (await table.queryUpTo(query, limit)).map(toNotification);
    },

    async unreadCount(userId) {
      const item = await table.get(userKey(userId, 'UNREAD'), { consistent: false });
      return typeof item?.unread === 'number' ? item.unread : 0;
    },
  };
}
