import {
  BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand,
  type DeleteCommandInput, type DynamoDBDocumentClient, type PutCommandInput, type QueryCommandInput, type TransactWriteCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from './document-client';
import { outboxPuts, type PendingEvent } from '../events/outbox';
import { cancellationOf, collidedWithTransaction, isConditionFailure, type Cancellation } from './errors';
import { INDEX_KEYS, ITEM_ABSENT, TABLE_KEYS, type IndexName } from './keys';

export type Item = Record<string, unknown>;
type Unnamed<T> = Omit<T, 'TableName'>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** One write of a transaction on this table (which the kit names); no Delete: no function is granted DeleteItem. */
export type TableWrite =
  | { Put: Unnamed<NonNullable<TransactItem['Put']>> }
  | { Update: Unnamed<NonNullable<TransactItem['Update']>> }
  | { ConditionCheck: Unnamed<NonNullable<TransactItem['ConditionCheck']>> };

export type TransactionResult = { readonly written: true } | Cancellation;

export type ConditionalPut = Unnamed<PutCommandInput> & { ConditionExpression: string };
export type ConditionalDelete = Unnamed<DeleteCommandInput> & { ConditionExpression: string };
export type ConditionalUpdate = Omit<UpdateCommandInput, 'TableName' | 'ReturnValues'> & { ConditionExpression: string };

export interface UpdateOptions {
  /**
   * A collision with a transaction in flight on the item (TransactionConflict) also answers
   * "not written" instead of propagating: for a writer whose caller retries either alike.
   * @default false
   */
  readonly collisionFails?: boolean;
}

/** One partition of the table or of an index, read in sort key order. */
export interface PartitionQuery {
  /** @default the table */
  readonly index?: IndexName;
  readonly partition: string;
  /** Only the items whose sort key sorts before this one: the page after a position of a newest-first listing. */
  readonly below?: string;
  /** @default false: oldest (lowest sort key) first */
  readonly newestFirst?: boolean;
  /** @default false */
  readonly consistent?: boolean;
}

/** DynamoDB's limits: items of one TransactWriteItems, keys of one BatchGetItem. */
const TRANSACTION_LIMIT = 100;
const BATCH_GET_LIMIT = 100;
const UNPROCESSED_RETRY_DELAYS_MS = [25, 50, 100, 200, 400, 800];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function named(TableName: string, write: TableWrite): TransactItem {
  if ('Put' in write) return { Put: { TableName, ...write.Put } };
  if ('Update' in write) return { Update: { TableName, ...write.Update } };
  return { ConditionCheck: { TableName, ...write.ConditionCheck } };
}

/** The Query input of `query`; DynamoDB rejects declared names and values that the expression does not use. */
function queryInput(TableName: string, query: PartitionQuery): QueryCommandInput {
  const keys = query.index === undefined ? TABLE_KEYS : INDEX_KEYS[query.index];
  const names: Record<string, string> = { '#pk': keys.partitionKey };
  const values: Record<string, unknown> = { ':pk': query.partition };
  let condition = '#pk = :pk';
  if (query.below !== undefined) {
    condition += ' AND #sk < :below';
    names['#sk'] = keys.sortKey;
    values[':below'] = query.below;
  }
  return {
    TableName,
    ...(query.index === undefined ? {} : { IndexName: query.index }),
    KeyConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ...(query.newestFirst ? { ScanIndexForward: false } : {}),
    ...(query.consistent ? { ConsistentRead: true } : {}),
  };
}

/**
 * The DynamoDB kit of a context's table: its reads and writes as the stores need them, each one
 * request (or the fewest the API allows), with conditions answered as values instead of errors.
 * A condition that fails answers false (or undefined, or a {@link Cancellation}); any other
 * error is a fault and propagates.
 */
export class DynamoTable {
  /** `db`: the functions' shared client by default; another for a tool that reaches a table elsewhere (the ops CLI). */
  constructor(
    readonly name: string,
    private readonly db: DynamoDBDocumentClient = documentClient(),
  ) {}

  /** GetItem: consistent unless told otherwise. */
  async get(key: Item, { consistent = true }: { consistent?: boolean } = {}): Promise<Item | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.name, Key: key, ...(consistent ? { ConsistentRead: true } : {}) }));
    return Item;
  }

  /** PutItem under its condition: true when written, false when the condition failed. */
  async putIf(put: ConditionalPut): Promise<boolean> {
    try {
      await this.db.send(new PutCommand({ TableName: this.name, ...put }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** DeleteItem under its condition: true when deleted, false when the condition failed. */
  async deleteIf(remove: ConditionalDelete): Promise<boolean> {
    try {
      await this.db.send(new DeleteCommand({ TableName: this.name, ...remove }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** UpdateItem under its condition: true when written, false when the condition failed. */
  async updateIf(update: ConditionalUpdate, options: UpdateOptions = {}): Promise<boolean> {
    return (await this.conditionalUpdate(update, options)) !== undefined;
  }

  /** UpdateItem under its condition, answering the item as written (ALL_NEW); undefined when the condition failed. */
  updateReturning(update: ConditionalUpdate, options: UpdateOptions = {}): Promise<Item | undefined> {
    return this.conditionalUpdate({ ...update, ReturnValues: 'ALL_NEW' }, options);
  }

  private async conditionalUpdate(update: Unnamed<UpdateCommandInput>, options: UpdateOptions): Promise<Item | undefined> {
    try {
      const { Attributes } = await this.db.send(new UpdateCommand({ TableName: this.name, ...update }));
      return Attributes ?? {};
    } catch (error) {
      if (isConditionFailure(error) || (options.collisionFails === true && collidedWithTransaction(error))) return undefined;
      throw error;
    }
  }

  /**
   * One TransactWriteItems: `writes` in their order, then the outbox record of `events` (see
   * shared/events/outbox.ts), so the state change and its events commit together or not at all.
   * Cancelled by a failed condition or a lost race, it answers which; anything else is thrown.
   */
  async transact(writes: readonly TableWrite[], events: PendingEvent | readonly PendingEvent[] = []): Promise<TransactionResult> {
    const items = [...writes, ...outboxPuts('event' in events ? [events] : events)].map((write) => named(this.name, write));
    if (items.length > TRANSACTION_LIMIT) {
      throw new Error(`A transaction of ${items.length} writes: DynamoDB allows ${TRANSACTION_LIMIT}`);
    }
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return { written: true };
    } catch (error) {
      const cancellation = cancellationOf(error);
      if (cancellation === undefined) throw error;
      return cancellation;
    }
  }

  /**
   * {@link transact} for a change derived from what was read: true when written, false when any
   * condition failed or a concurrent transaction won (the caller reads again).
   */
  async transactIf(writes: readonly TableWrite[], events?: PendingEvent | readonly PendingEvent[]): Promise<boolean> {
    return (await this.transact(writes, events)).written;
  }

  /**
   * The first `limit` items of a partition (all of them without a limit). One Query returns at
   * most 1 MB, so it follows LastEvaluatedKey until it has them or the partition ends.
   */
  async queryUpTo(query: PartitionQuery, limit = Number.POSITIVE_INFINITY): Promise<Item[]> {
    const input = queryInput(this.name, query);
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const remaining = limit - items.length;
      const { Items = [], LastEvaluatedKey } = await this.db.send(
        new QueryCommand({ ...input, ...(Number.isFinite(remaining) ? { Limit: remaining } : {}), ExclusiveStartKey: startKey }),
      );
      items.push(...Items);
      startKey = LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return items;
  }

  /**
   * Every item of `keys` that exists, read consistently, in no particular order: BatchGetItem in
   * chunks of 100 at once, asking again for the keys DynamoDB left unprocessed, with backoff.
   */
  async batchGetAll(keys: readonly Item[]): Promise<Item[]> {
    const chunks: Item[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) chunks.push(keys.slice(i, i + BATCH_GET_LIMIT));
    return (await Promise.all(chunks.map((chunk) => this.batchGetChunk(chunk)))).flat();
  }

  private async batchGetChunk(keys: Item[]): Promise<Item[]> {
    const found: Item[] = [];
    let pending = keys;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > UNPROCESSED_RETRY_DELAYS_MS.length) throw new Error('BatchGetItem kept returning unprocessed keys');
      if (attempt > 0) await sleep(UNPROCESSED_RETRY_DELAYS_MS[attempt - 1]!);
      const { Responses, UnprocessedKeys } = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.name]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(Responses?.[this.name] ?? []));
      pending = (UnprocessedKeys?.[this.name]?.Keys as Item[] | undefined) ?? [];
    }
    return found;
  }
}

/** The write of a transaction that creates an item: it fails its condition when the key is taken. */
export const putNew = (Item: Item): TableWrite => ({ Put: { Item, ConditionExpression: ITEM_ABSENT } });

/**
 * The write of a transaction that replaces an item read before, if its `attribute` still holds
 * `value`; it also fails when the item is gone (a missing attribute equals nothing).
 */
export const replaceIfStill = (Item: Item, attribute: string, value: unknown): TableWrite => ({
  Put: {
    Item,
    ConditionExpression: '#expected = :expected',
    ExpressionAttributeNames: { '#expected': attribute },
    ExpressionAttributeValues: { ':expected': value },
  },
});
