import { DynamoTable, ITEM_EXISTS, itemKey, putNew, type Item } from '../../shared/dynamo';
import type { UserStore } from '../domain/accounts';
import { EmailTakenError, emailKey, type Credentials, type User } from '../domain/user';

/**
 * Items: `USER#<id>`/`PROFILE` (the profile) and `EMAIL#<lower-case email>`/`EMAIL` (the
 * uniqueness claim on the address, holding the credentials), written in one transaction
 * together with the UserRegistered outbox record.
 */
const userKey = (userId: string) => itemKey(`USER#${userId}`, 'PROFILE');
const emailItemKey = (key: string) => itemKey(`EMAIL#${key}`, 'EMAIL');

function toUser(item: Item): User {
  const { id, email, name, role, createdAt, updatedAt } = item as unknown as User;
  return { id, email, name, role, createdAt, updatedAt };
}

export function dynamoUserStore(tableName: string): UserStore {
  const table = new DynamoTable(tableName);
  return {
    async create(user, credentials, event) {
      const result = await table.transact(
        [putNew({ ...userKey(user.id), kind: 'user', ...user }), putNew({ ...emailItemKey(emailKey(user.email)), kind: 'email', ...credentials })],
        event,
      );
      if (result.written) return;
      if (result.failed[1]) throw new EmailTakenError();
      throw result.error;
    },

    async credentialsByEmail(key) {
      const item = await table.get(emailItemKey(key), { consistent: false });
      if (!item) return undefined;
      const { userId, role, passwordHash } = item as unknown as Credentials;
      return { userId, role, passwordHash };
    },

    async get(userId) {
      const item = await table.get(userKey(userId), { consistent: false });
      return item ? toUser(item) : undefined;
    },

    async rename(userId, name, at) {
      const item = await table.updateReturning({
        Key: userKey(userId),
        UpdateExpression: 'SET #name = :name, updatedAt = :at',
        ConditionExpression: ITEM_EXISTS,
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ':name': name, ':at': at },
      });
      return item ? toUser(item) : undefined;
    },
  };
}
