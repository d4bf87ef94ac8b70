/**
 * Search over 10,000 products offline: the offline app (throttle lifted) with 10,000 products
 * written straight into the search projection's table in DynamoDB Local (BatchWriteItem, the
 * items the projection's consumer writes: seeding through the API and the bus would take longer
 * than the measurement), then GET /products/search for a mix of queries against DynamoDB Local's
 * own GetItem of one projection item, closed loops at concurrency 1 and 8 in the same run, each
 * after an unmeasured warm-up, and the searches only once every environment has loaded its index
 * (the first search of the run, which loads it, is reported apart).
 */
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { entryKey, projectionPut } from '../../functions/catalog/adapters/dynamo-search-projection';
import type { ProjectedProduct } from '../../functions/catalog/domain/search-index';
import { required, localTarget } from '../../ops/target';
import { warmedClosedLoop, type LoadResult } from './closed-loop';
import { node24 } from './node24';
import { startApp } from './offline';
import { ratio, table } from './stats';
import { withTempDir } from './synth';

export const SEARCH_BENCH_PRODUCTS = 10_000;
const CONCURRENCIES = [1, 8] as const;
const BATCH = 25;
const WRITERS = 8;

const ADJECTIVES = ['Blue', 'Red', 'Green', 'Black', 'White', 'Large', 'Small', 'Classic', 'Modern', 'Rustic', 'Café', 'Crème', 'Vintage', 'Compact', 'Deluxe'];
const NOUNS = ['Lamp', 'Mug', 'Cup', 'Chair', 'Table', 'Backpack', 'Notebook', 'Kettle', 'Blanket', 'Bottle', 'Lantern', 'Pen', 'Grinder', 'Candle', 'Clock', 'Tray', 'Bag', 'Shelf', 'Rug', 'Vase'];
const MATERIALS = ['ceramic', 'steel', 'oak', 'cotton', 'leather', 'glass', 'wool', 'brass', 'linen', 'porcelain', 'céramique'];
const CATEGORIES = ['kitchen', 'home', 'bags', 'stationery', 'outdoor', 'coffee', 'garden', 'office', 'bath', 'toys'];

/** Deterministic: product `i` of the bench catalog. */
export function benchProduct(i: number): ProjectedProduct {
  const pick = <T>(list: readonly T[], salt: number) => list[(i * salt + Math.floor(i / list.length)) % list.length]!;
  const [adjective, noun, material] = [pick(ADJECTIVES, 7), pick(NOUNS, 13), pick(MATERIALS, 3)];
  return {
    id: `01BENCH${String(i).padStart(19, '0')}`, name: `${adjective} ${noun} ${i}`, description: `${material} ${noun.toLowerCase()}, made to last`,
    category: CATEGORIES[i % CATEGORIES.length]!, priceCents: 500 + ((i * 7919) % 20_000), currency: 'USD', sku: `BENCH-${i}`, status: 'ACTIVE', version: 1,
  };
}

/** The mix: a common word, two words, a prefix, accents, filters, a rare word, and nothing found. */
export const SEARCH_MIX: readonly Record<string, string>[] = [
  { q: 'lamp' }, { q: 'blue mug' }, { q: 'cer' }, { q: 'cafe creme' }, { q: 'steel kettle', category: 'kitchen' },
  { q: 'chair', minPriceCents: '1000', maxPriceCents: '5000' }, { q: 'bench 4242' }, { q: 'zeppelin' },
];

async function seed(db: DynamoDBDocumentClient, tableName: string): Promise<void> {
  let next = 0;
  const writer = async () => {
    while (next < SEARCH_BENCH_PRODUCTS) {
      const from = next;
      next = Math.min(SEARCH_BENCH_PRODUCTS, next + BATCH);
      let requests = Array.from({ length: next - from }, (_, k) => ({ PutRequest: { Item: projectionPut(benchProduct(from + k)).Item! } }));
      while (requests.length > 0) {
        const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
}

const ms = (value: number) => value.toFixed(1);
/** A search answered this fast came from an environment whose index is loaded. */
const WARM_MS = 1_000;
const WARM_DEADLINE_MS = 240_000;

/**
 * Rounds of `concurrency` searches at once until every one answers warm: the offline Lambda
 * service starts an environment per concurrent request, and each loads the 10,000 products
 * before its first answer (the cold figure, reported apart); steady state is what is measured.
 */
async function warmEnvironments(concurrency: number, search: () => Promise<void>): Promise<number> {
  const deadline = performance.now() + WARM_DEADLINE_MS;
  for (let rounds = 1; ; rounds++) {
    const times = await Promise.all(Array.from({ length: concurrency }, async () => {
      const begun = performance.now();
      try {
        await search();
        return performance.now() - begun;
      } catch {
        return Number.POSITIVE_INFINITY;
      }
    }));
    if (times.every((time) => time < WARM_MS)) return rounds;
    if (performance.now() > deadline) throw new Error(`${concurrency} environments were not all warm after ${WARM_DEADLINE_MS / 1000} s`);
  }
}

export async function benchSearch({ seconds, log }: { seconds: number; log: (line: string) => void }): Promise<void> {
  const node = node24(log);
  await withTempDir('commerce-bench-search-', async (dir) => {
    const outdir = path.join(dir, 'cdk.out');
    const app = await startApp(node, outdir, ['--no-throttle', '--no-seed']);
    try {
      const target = localTarget(path.join(outdir, 'local-runtime.json'));
      const tableName = required(target, 'searchTableName');
      const db = DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig('DYNAMODB')));
      const seeding = performance.now();
      await seed(db, tableName);
      log(`offline app ready at ${app.url}; ${SEARCH_BENCH_PRODUCTS} products written to the projection in ${((performance.now() - seeding) / 1000).toFixed(1)} s`);

      let turn = 0;
      const search = async () => {
        const query = new URLSearchParams(SEARCH_MIX[turn++ % SEARCH_MIX.length]);
        const response = await fetch(`${app.url}/products/search?${query.toString()}`);
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`GET /products/search?${query.toString()} answered ${response.status}`);
      };
      const cold = performance.now();
      await search();
      const coldMs = performance.now() - cold;
      const Key = entryKey(benchProduct(4242).id);
      const getItem = async () => void (await db.send(new GetCommand({ TableName: tableName, Key })));

      log(`${SEARCH_MIX.length} queries in turn, ${seconds} s per concurrency (after ${seconds / 2} s unmeasured)…`);
      const rows: string[][] = [[`first search (loads the index of ${SEARCH_BENCH_PRODUCTS})`, ms(coldMs), '', '', '', '', '0']];
      const failures: LoadResult[] = [];
      for (const concurrency of CONCURRENCIES) {
        const base = await warmedClosedLoop(concurrency, seconds, getItem);
        const rounds = await warmEnvironments(concurrency, search);
        log(`c=${concurrency}: every environment warm after ${rounds} round(s)`);
        const found = await warmedClosedLoop(concurrency, seconds, search);
        failures.push(base, found);
        rows.push(
          [`DynamoDB Local GetItem, c=${concurrency}`, ms(base.p50), ms(base.p99), base.perSecond.toFixed(0), '1.00×', '1.00×', String(base.failures)],
          [`GET /products/search, c=${concurrency}`, ms(found.p50), ms(found.p99), found.perSecond.toFixed(0), ratio(found.p50, base.p50), ratio(found.perSecond, base.perSecond), String(found.failures)],
        );
      }
      log(table([`search over ${SEARCH_BENCH_PRODUCTS} products`, 'p50 ms', 'p99 ms', 'req/s', 'p50 ×GetItem', 'req/s ×GetItem', 'failed'], rows));
      for (const result of failures) if (result.firstFailure) log(`first failure: ${result.firstFailure}`);
      db.destroy();
    } finally {
      await app.stop();
    }
  });
}
