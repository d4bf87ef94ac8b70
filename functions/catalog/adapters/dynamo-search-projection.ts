import { paginateQuery, paginateScan, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { DynamoTable, INDEX_KEYS, indexEntry, itemKey, type Item } from '../../shared/dynamo';
import { documentClient } from '../../shared/dynamo/document-client';
import { nowIso } from '../../shared/ids';
import type { ProjectionEntry } from '../domain/search-index';
import type { SearchProjectionStore } from '../domain/search-projection';

/**
 * The search projection's own table: one item per product, `PRODUCT#<id>`/`SEARCH`, holding what
 * search shows (a tombstone for an archived product). Every write stamps `changedAt` and lists the
 * item under gsi1 (`CHANGES`, `<changedAt>#<id>`): the changes index the search functions query
 * for what changed since they last looked. One partition: catalog writes are admin edits, far
 * below a partition's 1,000 writes a second (a rebuild of many products is throttled by it).
 */
const CHANGES = 'CHANGES';
export const entryKey = (productId: string) => itemKey(`PRODUCT#${productId}`, 'SEARCH');
/** Parallel Scan segments of the first load: four 1 MB pages at a time. */
const SCAN_SEGMENTS = 4;

const ENTRY_FIELDS = ['id', 'name', 'description', 'category', 'priceCents', 'currency', 'sku', 'status', 'version'] as const;
/** Only the fields of an entry: a load reads no keys, index keys or stamps it would drop. */
const ENTRY_PROJECTION = {
  ProjectionExpression: ENTRY_FIELDS.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(ENTRY_FIELDS.map((field, i) => [`#f${i}`, field])),
};

/**
 * The conditional Put of `entry`: written only over an older version, or where there is none;
 * with `sameVersion` also over the same version (a rebuild repairing an item that drifted).
 */
export function projectionPut(
  entry: ProjectionEntry, { changedAt = nowIso(), sameVersion = false }: { changedAt?: string; sameVersion?: boolean } = {},
): Omit<PutCommandInput, 'TableName'> & { ConditionExpression: string } {
  return {
    Item: { ...entryKey(entry.id), ...entry, changedAt, ...indexEntry('gsi1', CHANGES, `${changedAt}#${entry.id}`) },
    ConditionExpression: `attribute_not_exists(#version) OR #version ${sameVersion ? '<=' : '<'} :version`,
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':version': entry.version },
  };
}

export function entryFromItem(item: Item): ProjectionEntry {
  return Object.fromEntries(ENTRY_FIELDS.filter((field) => item[field] !== undefined).map((field) => [field, item[field]])) as unknown as ProjectionEntry;
}

/** Every projection item (the fields of its entry), read by `SCAN_SEGMENTS` parallel Scans. */
export async function scanProjection(db: DynamoDBDocumentClient, tableName: string): Promise<Item[]> {
  const segments = Array.from({ length: SCAN_SEGMENTS }, async (_, Segment) => {
    const items: Item[] = [];
    for await (const page of paginateScan({ client: db }, { TableName: tableName, Segment, TotalSegments: SCAN_SEGMENTS, ...ENTRY_PROJECTION })) {
      items.push(...(page.Items ?? []));
    }
    return items;
  });
  return (await Promise.all(segments)).flat();
}

export function dynamoSearchProjection(tableName: string, db: DynamoDBDocumentClient = documentClient()): SearchProjectionStore {
  const table = new DynamoTable(tableName, db);
  const keys = INDEX_KEYS.gsi1;
  return {
    save: (entry) => table.putIf(projectionPut(entry)),

    async all() {
      return (await scanProjection(db, tableName)).map(entryFromItem);
    },

    async changedSince(since) {
      const entries: ProjectionEntry[] = [];
      const pages = paginateQuery({ client: db }, {
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: '#pk = :changes AND #sk >= :since',
        ExpressionAttributeNames: { '#pk': keys.partitionKey, '#sk': keys.sortKey },
        ExpressionAttributeValues: { ':changes': CHANGES, ':since': since },
      });
      for await (const page of pages) entries.push(...(page.Items ?? []).map(entryFromItem));
      return entries;
    },
  };
}
