import { DynamoTable, itemKey, TABLE_KEYS } from '../../shared/dynamo';
import type { LoginThrottleStore } from '../domain/accounts';
import type { AttemptRecord } from '../domain/login-throttle';

/**
 * Item `LOGIN#<email key>`/`THROTTLE`, for known and unknown emails alike: attempts (counted with
 * ADD, so concurrent attempts each get their own number), windowStart and lockedUntil (epoch ms),
 * and `ttl` (epoch s), after which DynamoDB removes the record; the policy never relies on that
 * (a stale record starts over by its timestamps). Every write is a single UpdateItem.
 */
const throttleKey = (emailKey: string) => itemKey(`LOGIN#${emailKey}`, 'THROTTLE');
const NAMES = {
  '#kind': TABLE_KEYS.kind, '#attempts': 'attempts', '#windowStart': 'windowStart', '#lockedUntil': 'lockedUntil', '#ttl': TABLE_KEYS.ttl,
};
/** A stale record loses to a concurrent restart at most this often in a row before it is a fault. */
const MAX_COUNT_ROUNDS = 3;

function toRecord(item: Record<string, unknown> | undefined): AttemptRecord {
  const { attempts, lockedUntil } = (item ?? {}) as { attempts?: number; lockedUntil?: number };
  if (typeof attempts !== 'number') throw new Error('The login throttle record has no attempt count after counting one');
  return lockedUntil === undefined ? { attempts } : { attempts, lockedUntil };
}

export function dynamoLoginThrottle(tableName: string): LoginThrottleStore {
  const table = new DynamoTable(tableName);

  /** One conditional UpdateItem answering the item as written; undefined when its condition failed. */
  function update(
    emailKey: string,
    expression: { update: string; condition: string; values: Record<string, unknown> },
  ): Promise<Record<string, unknown> | undefined> {
    const used = (name: string) => `${expression.update} ${expression.condition}`.includes(name);
    return table.updateReturning({
      Key: throttleKey(emailKey),
      UpdateExpression: expression.update,
      ConditionExpression: expression.condition,
      // DynamoDB rejects declared names that the expressions do not use.
      ExpressionAttributeNames: Object.fromEntries(Object.entries(NAMES).filter(([name]) => used(name))),
      ExpressionAttributeValues: Object.keys(expression.values).length > 0 ? expression.values : undefined,
    });
  }

  return {
    async count(emailKey, { now, staleBefore, forgetAfter }) {
      const values = { ':kind': 'loginThrottle', ':now': now, ':one': 1, ':stale': staleBefore, ':ttl': forgetAfter };
      for (let round = 1; round <= MAX_COUNT_ROUNDS; round += 1) {
        // A live record (or none, or one cleared by a success): this attempt takes the next number.
        const counted = await update(emailKey, {
          update: 'SET #kind = :kind, #windowStart = if_not_exists(#windowStart, :now), #ttl = :ttl ADD #attempts :one',
          condition: 'attribute_not_exists(#windowStart) OR #windowStart > :stale OR #lockedUntil > :stale',
          values,
        });
        if (counted) return toRecord(counted);
        // A stale record: this attempt starts it over as number 1, unless another one just did.
        const restarted = await update(emailKey, {
          update: 'SET #kind = :kind, #windowStart = :now, #attempts = :one, #ttl = :ttl REMOVE #lockedUntil',
          condition: '#windowStart <= :stale AND (attribute_not_exists(#lockedUntil) OR #lockedUntil <= :stale)',
          values,
        });
        if (restarted) return toRecord(restarted);
      }
      throw new Error(`The login throttle record of one email kept changing under ${MAX_COUNT_ROUNDS} rounds`);
    },

    async takeLapsedLock(emailKey, lapsed, lockUntil) {
      const taken = await update(emailKey, {
        update: 'SET #lockedUntil = :until',
        condition: '#lockedUntil = :lapsed',
        values: { ':until': lockUntil, ':lapsed': lapsed },
      });
      return taken !== undefined;
    },

    async extendLock(emailKey, lockUntil) {
      // Nothing to do when a later lock is set, or a success cleared the attempts meanwhile.
      await update(emailKey, {
        update: 'SET #lockedUntil = :until',
        condition: 'attribute_exists(#attempts) AND (attribute_not_exists(#lockedUntil) OR #lockedUntil < :until)',
        values: { ':until': lockUntil },
      });
    },

    async clear(emailKey) {
      // An update, not a delete: the login function needs no other write action than UpdateItem.
      await update(emailKey, {
        update: 'REMOVE #attempts, #windowStart, #lockedUntil',
        condition: 'attribute_exists(#attempts)',
        values: {},
      });
    },
  };
}
