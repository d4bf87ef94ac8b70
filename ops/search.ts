/**
 * `rebuild search`: the catalog's search projection rebuilt from its source, the catalog table
 * (see functions/catalog/adapters for both tables' items). Every product is written at its
 * current version where the projection lacks it or disagrees; a projection item whose product is
 * gone from the catalog is removed. Writes are conditional on the version, so an event the
 * projection's consumer applies meanwhile (a newer version) is never overwritten.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { entryFromItem, entryKey, projectionPut, scanProjection } from '../functions/catalog/adapters/dynamo-search-projection';
import type { Product } from '../functions/catalog/domain/product';
import { DynamoTable } from '../functions/shared/dynamo';
import type { ProjectionEntry } from '../functions/catalog/domain/search-index';
import { entryOf } from '../functions/catalog/domain/search-projection';
import type { Reporter } from './report';
import { required, type Target } from './target';

export interface SearchRebuildSummary {
  readonly products: number;
  /** Absent from the projection, or different there. */
  readonly drifted: number;
  /** Projection items of products the catalog does not have. */
  readonly orphans: number;
  readonly written: number;
  /** Changed by the consumer between the read and the write: left as it wrote them. */
  readonly skipped: number;
}

const same = (a: ProjectionEntry, b: ProjectionEntry | undefined) =>
  b !== undefined && JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/** The entries the catalog's products project to, page by page as the catalog table is scanned. */
async function* catalogEntries(client: DynamoDBDocumentClient, tableName: string): AsyncGenerator<ProjectionEntry[]> {
  const pages = paginateScan({ client }, {
    TableName: tableName, FilterExpression: '#kind = :product', ExpressionAttributeNames: { '#kind': 'kind' }, ExpressionAttributeValues: { ':product': 'product' },
  });
  for await (const page of pages) yield (page.Items ?? []).map((item) => entryOf(item as unknown as Product));
}

export async function rebuildSearch(target: Target, options: { dryRun: boolean }, report: Reporter): Promise<SearchRebuildSummary> {
  const [catalogTable, searchTable] = [required(target, 'catalogTableName'), required(target, 'searchTableName')];
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig('DYNAMODB')));
  const projection = new DynamoTable(searchTable, client);
  const projected = new Map((await scanProjection(client, searchTable)).map((item) => [String(item.id), entryFromItem(item)]));
  report.progress(`read ${projected.size} projection item(s)`, true);
  let products = 0, drifted = 0, orphans = 0, written = 0, skipped = 0;
  const count = (ok: boolean) => (ok ? written++ : skipped++);
  for await (const entries of catalogEntries(client, catalogTable)) {
    for (const entry of entries) {
      products++;
      const stored = projected.get(entry.id);
      projected.delete(entry.id);
      if (same(entry, stored)) continue;
      drifted++;
      report.out(`product ${entry.id}: ${stored === undefined ? 'missing' : `version ${stored.version} ${stored.status}`} → version ${entry.version} ${entry.status}`);
      if (!options.dryRun) count(await projection.putIf(projectionPut(entry, { sameVersion: true })));
    }
    report.progress(`checked ${products} product(s), ${drifted} drifted`);
  }
  for (const orphan of projected.values()) {
    orphans++;
    report.out(`product ${orphan.id}: not in the catalog → removed from the projection`);
    if (options.dryRun) continue;
    count(await projection.deleteIf({
      Key: entryKey(orphan.id),
      ConditionExpression: '#version = :read', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':read': orphan.version },
    }));
  }
  const action = options.dryRun ? 'dry run, nothing written' : `${written} written, ${skipped} changed meanwhile and left alone`;
  report.out(`rebuilt the search projection: ${products} product(s), ${drifted} drifted, ${orphans} orphan(s) (${action})`);
  return { products, drifted, orphans, written, skipped };
}
