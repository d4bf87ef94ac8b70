/**
 * The DynamoDB kit (functions/shared/dynamo) against DynamoDB Local: conditions answered as
 * values, the outbox record written with the transaction, faults thrown, and the reads that
 * take more than one request (1 MB query pages, BatchGetItem chunks and unprocessed keys).
 */
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProductCreated } from '../../../functions/contracts/events/catalog';
import { DynamoTable, ITEM_ABSENT, ITEM_EXISTS, itemKey, putNew, replaceIfStill } from '../../../functions/shared/dynamo';
import { domainEvent } from '../../../functions/shared/events/outbox';
import { newId } from '../../../functions/shared/ids';
import { createLocalDynamoClient, createTestTable, useDynamoEnv } from '../../support/dynamodb';
import { transactionConflicts } from '../../support/transaction-conflicts';

let table: DynamoTable;
let conflicts: ReturnType<typeof transactionConflicts>;

beforeAll(async () => {
  useDynamoEnv();
  table = new DynamoTable(await createTestTable(createLocalDynamoClient(), { prefix: 'kit' }));
  conflicts = transactionConflicts();
});

afterEach(() => {
  conflicts.stop();
  vi.restoreAllMocks();
});

const key = () => itemKey(`THING#${newId()}`, 'THING');
const created = () =>
  domainEvent(ProductCreated, { productId: newId(), name: 'Mug', category: 'kitchen', priceCents: 100, currency: 'USD', sku: newId() }, 'c');

/** The commands of `type` the kit sends from now on (they still reach DynamoDB Local). */
function sent<T>(type: abstract new (...args: never[]) => T): () => T[] {
  const spy = vi.spyOn(DynamoDBDocumentClient.prototype, 'send');
  return () => spy.mock.calls.map(([command]): unknown => command).filter((command): command is T => command instanceof type);
}

describe('conditional writes', () => {
  it('answers whether the put, the update and the delete were written', async () => {
    const thing = key();
    expect(await table.putIf({ Item: { ...thing, n: 1 }, ConditionExpression: ITEM_ABSENT })).toBe(true);
    expect(await table.putIf({ Item: { ...thing, n: 2 }, ConditionExpression: ITEM_ABSENT })).toBe(false);
    const bump = { Key: thing, UpdateExpression: 'SET n = :n', ConditionExpression: `${ITEM_EXISTS} AND n = :was`, ExpressionAttributeValues: { ':n': 3, ':was': 1 } };
    expect(await table.updateIf(bump)).toBe(true);
    expect(await table.updateIf(bump)).toBe(false);
    expect(await table.get(thing)).toMatchObject({ n: 3 });
    const removeAt = (n: number) => ({ Key: thing, ConditionExpression: 'n = :n', ExpressionAttributeValues: { ':n': n } });
    expect(await table.deleteIf(removeAt(1))).toBe(false);
    expect(await table.get(thing)).toMatchObject({ n: 3 });
    expect(await table.deleteIf(removeAt(3))).toBe(true);
    expect(await table.get(thing)).toBeUndefined();
  });

  it('returns the item as written, undefined when the condition failed, and a collision only when asked to', async () => {
    const update = { Key: key(), UpdateExpression: 'ADD n :one', ConditionExpression: ITEM_EXISTS, ExpressionAttributeValues: { ':one': 1 } };
    expect(await table.updateReturning(update)).toBeUndefined();
    const counted = { ...update, ConditionExpression: `attribute_not_exists(n) OR n < :three`, ExpressionAttributeValues: { ':one': 1, ':three': 3 } };
    expect(await table.updateReturning(counted)).toMatchObject({ n: 1 });
    conflicts.failNext(1);
    await expect(table.updateReturning(counted)).rejects.toMatchObject({ name: 'TransactionConflictException' });
    conflicts.failNext(1);
    expect(await table.updateReturning(counted, { collisionFails: true })).toBeUndefined();
    expect(await table.get(update.Key)).toMatchObject({ n: 1 });
  });
});

describe('transactions', () => {
  it('writes the outbox record of the events with the items', async () => {
    const [event, thing] = [created(), key()];
    expect(await table.transact([putNew({ ...thing, n: 1 })], event)).toEqual({ written: true });
    const outbox = await table.get(itemKey(`OUTBOX#${event.detail.metadata.eventId}`, 'OUTBOX'));
    expect(outbox).toMatchObject({ kind: 'outbox', detailType: 'ProductCreated', detail: JSON.stringify(event.detail) });
  });

  it('answers which conditions failed, by position, and writes nothing (not even the outbox record)', async () => {
    const [taken, free, event] = [key(), key(), created()];
    await table.putIf({ Item: { ...taken, status: 'OPEN' }, ConditionExpression: ITEM_ABSENT });
    const result = await table.transact([putNew(free), replaceIfStill({ ...taken, status: 'DONE' }, 'status', 'CLOSED')], event);
    expect(result).toMatchObject({ written: false, failed: [false, true, false], lostRace: false });
    expect(await table.get(free)).toBeUndefined();
    expect(await table.get(itemKey(`OUTBOX#${event.detail.metadata.eventId}`, 'OUTBOX'))).toBeUndefined();
    expect(await table.transactIf([replaceIfStill({ ...taken, status: 'DONE' }, 'status', 'OPEN')])).toBe(true);
  });

  it('answers a race lost to a concurrent transaction, and throws anything else', async () => {
    conflicts.failNext(1);
    expect(await table.transact([putNew(key())])).toMatchObject({ written: false, lostRace: true });
    conflicts.failNext(1);
    expect(await table.transactIf([putNew(key())])).toBe(false);
    // Any other failure (here a lost response) is a fault, not an answer.
    conflicts.failNext(1, { error: () => new Error('socket hang up') });
    await expect(table.transact([putNew(key())])).rejects.toThrow('socket hang up');
  });

  it('refuses a transaction over DynamoDB\'s 100 items before sending it', async () => {
    const transactions = sent(TransactWriteCommand);
    const writes = Array.from({ length: 100 }, () => putNew(key()));
    await expect(table.transact(writes, created())).rejects.toThrow('A transaction of 101 writes');
    expect(transactions()).toEqual([]);
  });
});

describe('reads of more than one request', () => {
  it('follows LastEvaluatedKey over 1 MB pages until it has the items asked for', async () => {
    const partition = `BIG#${newId()}`;
    const blob = 'x'.repeat(390_000);
    for (let i = 1; i <= 5; i += 1) await table.putIf({ Item: { ...itemKey(partition, `N#${i}`), blob }, ConditionExpression: ITEM_ABSENT });
    const queries = sent(QueryCommand);
    const four = await table.queryUpTo({ partition, newestFirst: true }, 4);
    expect(four.map((item) => item.sk)).toEqual(['N#5', 'N#4', 'N#3', 'N#2']);
    // 390 KB items: a page ends with the one that takes it past 1 MB, the third.
    expect(queries().map((query) => query.input.Limit)).toEqual([4, 1]);
    const below = await table.queryUpTo({ partition, below: 'N#3', newestFirst: true, consistent: true });
    expect(below.map((item) => item.sk)).toEqual(['N#2', 'N#1']);
    expect((await table.queryUpTo({ partition })).map((item) => item.sk)).toEqual(['N#1', 'N#2', 'N#3', 'N#4', 'N#5']);
  });

  it('reads any number of keys in chunks of 100, asking again for the keys left unprocessed', async () => {
    const stored = [key(), key(), key()];
    for (const thing of stored) await table.putIf({ Item: thing, ConditionExpression: ITEM_ABSENT });
    const keys = [...stored, ...Array.from({ length: 147 }, key)];
    const original = DynamoDBDocumentClient.prototype.send as (this: DynamoDBDocumentClient, command: unknown) => Promise<unknown>;
    let withheld = false;
    const spy = vi.spyOn(DynamoDBDocumentClient.prototype, 'send').mockImplementation(async function (this: DynamoDBDocumentClient, command: unknown) {
      if (!(command instanceof BatchGetCommand) || withheld) return original.call(this, command) as never;
      // DynamoDB's answer when it has done part of the work: the rest comes back as UnprocessedKeys.
      withheld = true;
      const [name, request] = Object.entries(command.input.RequestItems!)[0]!;
      const answer = (await original.call(this, new BatchGetCommand({ RequestItems: { [name]: { ...request, Keys: request.Keys!.slice(0, 1) } } }))) as object;
      return { ...answer, UnprocessedKeys: { [name]: { ...request, Keys: request.Keys!.slice(1) } } } as never;
    });
    const found = await table.batchGetAll(keys);
    expect(found.map((item) => item.pk).sort()).toEqual(stored.map((thing) => thing.pk).sort());
    const sizes = spy.mock.calls.map(([command]) => command).filter((command) => command instanceof BatchGetCommand)
      .map((command) => Object.values((command as BatchGetCommand).input.RequestItems!)[0]!.Keys!.length);
    expect(sizes).toEqual([100, 50, 99]);
  });

  it('reads eventually consistent only when told', async () => {
    const gets = sent(GetCommand);
    await table.get(key());
    await table.get(key(), { consistent: false });
    expect(gets().map((get) => get.input.ConsistentRead)).toEqual([true, undefined]);
  });
});
