/**
 * The attribute names of the single-table design every context uses, for the stores and for the
 * CDK app (lib/platform/service-table.ts), so the two cannot disagree. Import-free: the CDK app
 * reads it without loading the SDK.
 */
export const TABLE_KEYS = { partitionKey: 'pk', sortKey: 'sk', ttl: 'ttl', kind: 'kind' } as const;

/** The sparse global secondary indexes, named by number, each keyed `<name>pk` / `<name>sk`. */
export const INDEX_KEYS = {
  gsi1: { partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  gsi2: { partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
} as const;
export type IndexName = keyof typeof INDEX_KEYS;

/** The condition of a write that creates its item: no item has its key yet. */
export const ITEM_ABSENT = `attribute_not_exists(${TABLE_KEYS.partitionKey})`;
/** The condition of a write that changes an existing item only. */
export const ITEM_EXISTS = `attribute_exists(${TABLE_KEYS.partitionKey})`;

/** An item's primary key. */
export const itemKey = (partition: string, sort: string) => ({ [TABLE_KEYS.partitionKey]: partition, [TABLE_KEYS.sortKey]: sort });

/** The attributes that list an item in `index` (under `partition`, ordered by `sort`). */
export const indexEntry = (index: IndexName, partition: string, sort: string) => ({
  [INDEX_KEYS[index].partitionKey]: partition,
  [INDEX_KEYS[index].sortKey]: sort,
});

/** The `ttl` attribute (epoch seconds) of an item DynamoDB removes `seconds` after `fromIso`. */
export const expiresAfter = (fromIso: string, seconds: number) => ({
  [TABLE_KEYS.ttl]: Math.floor(Date.parse(fromIso) / 1000) + seconds,
});
