import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/aws-clients';
import { failedConditions, isConditionFailure } from '../../shared/dynamo';
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
const notificationKey = (notification: Pick<StoredNotification, 'userId' | 'createdAt' | 'id'>) => ({
  pk: notificationPartition(notification.userId),
  sk: listingKey(notification),
});
const userKey = (userId: string, sk: 'UNREAD' | 'CONTACT') => ({ pk: `USER#${userId}`, sk });

function notificationItem(notification: StoredNotification): Record<string, unknown> {
  return { ...notificationKey(notification), kind: 'notification', ...notification };
}

function toNotification(item: Record<string, unknown>): StoredNotification {
  const { id, userId, type, orderId, subject, body, read, createdAt, delivery } = item as unknown as StoredNotification;
  return { id, userId, type, ...(orderId === undefined ? {} : { orderId }), subject, body, read, createdAt, delivery };
}

function listingQuery(tableName: string, userId: string, before: ListingPosition | undefined): QueryCommandInput {
  const values: Record<string, unknown> = { ':pk': notificationPartition(userId) };
  let condition = 'pk = :pk';
  // DynamoDB rejects declared values that the expression does not use.
  if (before !== undefined) {
    condition += ' AND sk < :before';
    values[':before'] = listingKey(before);
  }
  return { TableName: tableName, KeyConditionExpression: condition, ExpressionAttributeValues: values, ScanIndexForward: false };
}

export function dynamoNotificationStore(tableName: string): NotificationStore {
  const db = documentClient();
  return {
    async add(notification, contact) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: notificationItem(notification), ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Update: {
                  TableName: tableName,
                  Key: userKey(notification.userId, 'UNREAD'),
                  UpdateExpression: 'SET kind = :kind ADD unread :one',
                  ExpressionAttributeValues: { ':kind': 'unreadCounter', ':one': 1 },
                },
              },
              ...(contact
                ? [{ Put: { TableName: tableName, Item: { ...userKey(contact.userId, 'CONTACT'), kind: 'contact', ...contact } } }]
                : []),
            ],
          }),
        );
        return { created: true, notification };
      } catch (error) {
        if (!failedConditions(error)?.[0]) throw error;
      }
      // A redelivery: the transaction changed nothing, and the first delivery's notification stands.
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: notificationKey(notification), ConsistentRead: true }));
      if (!Item) throw new Error('A notification refused as a duplicate is missing');
      return { created: false, notification: toNotification(Item) };
    },

    async contact(userId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: userKey(userId, 'CONTACT') }));
      if (!Item) return undefined;
      const { email, name } = Item as Contact;
      return { userId, email, name };
    },

    async settleDelivery(notification, delivery) {
      try {
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: notificationKey(notification),
            UpdateExpression: 'SET delivery = :delivery, settledAt = :now',
            ConditionExpression: 'delivery = :pending',
            ExpressionAttributeValues: { ':delivery': delivery, ':now': nowIso(), ':pending': 'PENDING' },
          }),
        );
      } catch (error) {
        // A concurrent delivery of the same event settled it first: its record stands.
        if (!isConditionFailure(error)) throw error;
      }
    },

    async list(userId, { before, limit }) {
      const query = listingQuery(tableName, userId, before);
      const found: StoredNotification[] = [];
      let startKey: Record<string, unknown> | undefined;
      // One query returns at most 1 MB: keep reading until the page is full or the partition ends.
      do {
        const { Items = [], LastEvaluatedKey } = await db.send(
          new QueryCommand({ ...query, Limit: limit - found.length, ExclusiveStartKey: startKey }),
        );
        found.push(...Items.map(toNotification));
        startKey = LastEvaluatedKey;
      } while (startKey && found.length < limit);
      return found;
    },

    async unreadCount(userId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: userKey(userId, 'UNREAD') }));
      return typeof Item?.unread === 'number' ? Item.unread : 0;
    },
  };
}
