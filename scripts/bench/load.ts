/**
 * Offline load: GET /products/{id} through the offline runtime (throttle lifted) against DynamoDB
 * Local's own GetItem, both closed loops at concurrency 1 and 16 in the same run, each after an
 * unmeasured warm-up at the same concurrency; then 16 buyers placing orders for a fixed time
 * (after as long a warm-up): orders/s and place → confirmed p50/p99.
 */
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../../local/dynamodb/local-dynamodb';
import { warmedClosedLoop, type LoadResult } from './closed-loop';
import { node24 } from './node24';
import { startApp } from './offline';
import { buyers } from './orders-load';
import { ratio, table } from './stats';
import { withTempDir } from './synth';

const CONCURRENCIES = [1, 16] as const;

/** A catalog product's size and shape, read by key as get-product reads it. */
async function getItemBaseline(seconds: number): Promise<Map<number, LoadResult>> {
  const dynamo = await startDynamoDbLocal({ log: () => undefined });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const TableName = 'bench';
    await client.send(new CreateTableCommand({
      TableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }));
    const Key = { pk: { S: 'PRODUCT#01JBENCH' } };
    await client.send(new PutItemCommand({ TableName, Item: { ...Key, name: { S: 'Espresso Cup' }, description: { S: 'Porcelain, 90 ml' }, priceCents: { N: '1200' }, currency: { S: 'USD' } } }));
    const results = new Map<number, LoadResult>();
    for (const concurrency of CONCURRENCIES) {
      results.set(concurrency, await warmedClosedLoop(concurrency, seconds, async () => void (await client.send(new GetItemCommand({ TableName, Key })))));
    }
    return results;
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

async function productReads(url: string, seconds: number): Promise<Map<number, LoadResult>> {
  const page = (await (await fetch(`${url}/products`)).json()) as { items: { id: string }[] };
  const id = page.items[0]?.id;
  if (!id) throw new Error('the offline app has no products: was it started with --no-seed?');
  const read = async () => {
    const response = await fetch(`${url}/products/${id}`);
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`GET /products/${id} answered ${response.status}`);
  };
  const results = new Map<number, LoadResult>();
  for (const concurrency of CONCURRENCIES) results.set(concurrency, await warmedClosedLoop(concurrency, seconds, read));
  return results;
}

const ms = (value: number) => value.toFixed(1);

export async function benchLoad({ seconds, log }: { seconds: number; log: (line: string) => void }): Promise<void> {
  const node = node24(log);
  log(`DynamoDB Local GetItem, ${seconds} s per concurrency…`);
  const baseline = await getItemBaseline(seconds);
  await withTempDir('commerce-bench-load-', async (dir) => {
    const app = await startApp(node, path.join(dir, 'cdk.out'), ['--no-throttle']);
    try {
      log(`offline app ready at ${app.url}; GET /products/{id}, ${seconds} s per concurrency…`);
      const reads = await productReads(app.url, seconds);
      const rows = CONCURRENCIES.flatMap((concurrency) => {
        const base = baseline.get(concurrency)!;
        const read = reads.get(concurrency)!;
        return [
          [`DynamoDB Local GetItem, c=${concurrency}`, ms(base.p50), ms(base.p99), base.perSecond.toFixed(0), '1.00×', '1.00×', String(base.failures)],
          [`GET /products/{id}, c=${concurrency}`, ms(read.p50), ms(read.p99), read.perSecond.toFixed(0), ratio(read.p50, base.p50), ratio(read.perSecond, base.perSecond), String(read.failures)],
        ];
      });
      log(table(['reads', 'p50 ms', 'p99 ms', 'req/s', 'p50 ×GetItem', 'req/s ×GetItem', 'failed'], rows));
      log(`16 buyers placing orders for ${seconds * 2} s (after as long unmeasured)…`);
      const orders = await buyers(app.url, 16, seconds * 2);
      const getItemRate = baseline.get(16)!.perSecond;
      log(table(
        ['orders (16 buyers)', 'confirmed/s', 'place→confirmed p50 ms', 'p99 ms', 'orders/s ×GetItem/s (c=16)', 'not confirmed'],
        [['POST /orders → CONFIRMED', orders.perSecond.toFixed(2), orders.p50.toFixed(0), orders.p99.toFixed(0), (orders.perSecond / getItemRate).toExponential(2), String(orders.failures)]],
      ));
      for (const result of [...reads.values(), orders]) if (result.firstFailure) log(`first failure: ${result.firstFailure}`);
    } finally {
      await app.stop();
    }
  });
}
