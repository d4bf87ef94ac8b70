import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../shared/aws-clients';
import { failedConditions, isConditionFailure } from '../../shared/dynamo';
import { outboxPut } from '../../shared/events/outbox';
import type { UserStore } from '../domain/accounts';
import { EmailTakenError, emailKey, type Credentials, type User } from '../domain/user';

/**
 * Items: `USER#<id>`/`PROFILE` (the profile) and `EMAIL#<lower-case email>`/`EMAIL` (the
 * uniqueness claim on the address, holding the credentials), written in one transaction
 * together with the UserRegistered outbox record.
 */
const userKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' });
const emailItemKey = (key: string) => ({ pk: `EMAIL#${key}`, sk: 'EMAIL' });

function toUser(item: Record<string, unknown>): User {
  const { id, email, name, role, createdAt, updatedAt } = item as unknown as User;
  return { id, email, name, role, createdAt, updatedAt };
}

export function dynamoUserStore(tableName: string): UserStore {
  const db = documentClient();
  return {
    async create(user, credentials, event) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: tableName, Item: { ...userKey(user.id), kind: 'user', ...user }, ConditionExpression: 'attribute_not_exists(pk)' } },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...emailItemKey(emailKey(user.email)), kind: 'email', ...credentials },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              outboxPut(tableName, event),
            ],
          }),
        );
      } catch (error) {
        if (failedConditions(error)?.[1]) throw new EmailTakenError();
        throw error;
      }
    },

    async credentialsByEmail(key) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: emailItemKey(key) }));
      if (!Item) return undefined;
      const { userId, role, passwordHash } = Item as Credentials;
      return { userId, role, passwordHash };
    },

    async get(userId) {
      const { Item } = await db.send(new GetCommand({ TableName: tableName, Key: userKey(userId) }));
      return Item ? toUser(Item) : undefined;
    },

    async rename(userId, name, at) {
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: userKey(userId),
            UpdateExpression: 'SET #name = :name, updatedAt = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#name': 'name' },
            ExpressionAttributeValues: { ':name': name, ':at': at },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes ? toUser(Attributes) : undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
  };
}
