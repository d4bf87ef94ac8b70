/**
 * Offline load: GET /products/{id} through the offline runtime (throttle lifted) against DynamoDB
 * Local's own GetItem, both closed loops at concurrency 1 and 16 in the same run, each after an
 * unmeasured warm-up at the same concurrency; then 16 buyers placing orders for a fixed time
 * (after as long a warm-up, polling with backoff): orders confirmed/s and place → confirmed
 * p50/p99 by the orders' own timestamps, and the reads per order. With --baseline REV, the
 * same again for that revision's tree (GetItem measured again just before it), and its orders
 * per GetItem/s set beside this tree's: the one honest ratio across a drifting machine.
 */
import { Agent, request as httpRequest } from 'node:http';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../../local/dynamodb/local-dynamodb';
import { withBaselineTree } from './baseline-tree';
import { warmedClosedLoop, type LoadResult } from './closed-loop';
import { node24 } from './node24';
import { startApp } from './offline';
import { buyers, type OrdersResult } from './orders-load';
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

/**
 * GET with node:http and a keep-alive agent, as the AWS SDK's GetItem above sends its requests:
 * the client shares the 2 cores with what it measures, and fetch (undici) spent about three
 * times the CPU per request of node:http, which counted against the offline runtime.
 */
function httpGetter(base: string): { get(pathname: string): Promise<{ status: number; body: string }>; close(): void } {
  const agent = new Agent({ keepAlive: true });
  const get = (pathname: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(new URL(pathname, base), { agent }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end();
    });
  return { get, close: () => agent.destroy() };
}

async function productReads(url: string, seconds: number): Promise<Map<number, LoadResult>> {
  const http = httpGetter(url);
  try {
    const page = JSON.parse((await http.get('/products')).body) as { items: { id: string }[] };
    const id = page.items[0]?.id;
    if (!id) throw new Error('the offline app has no products: was it started with --no-seed?');
    const read = async () => {
      const { status } = await http.get(`/products/${id}`);
      if (status !== 200) throw new Error(`GET /products/${id} answered ${status}`);
    };
    const results = new Map<number, LoadResult>();
    for (const concurrency of CONCURRENCIES) results.set(concurrency, await warmedClosedLoop(concurrency, seconds, read));
    return results;
  } finally {
    http.close();
  }
}

const ms = (value: number) => value.toFixed(1);

interface TreeFigures {
  readonly label: string;
  /** DynamoDB Local's own GetItem, measured just before this tree's app. */
  readonly getItem: Map<number, LoadResult>;
  readonly reads: Map<number, LoadResult>;
  readonly orders: OrdersResult;
}

/** GetItem, then this tree's `npm start` (throttle lifted): reads at each concurrency, then 16 buyers. */
async function measureTree(label: string, root: string | undefined, seconds: number, log: (line: string) => void): Promise<TreeFigures> {
  const node = node24(log);
  log(`${label}: DynamoDB Local GetItem, ${seconds} s per concurrency…`);
  const getItem = await getItemBaseline(seconds);
  return withTempDir('commerce-bench-load-', async (dir) => {
    const app = await startApp(node, path.join(dir, 'cdk.out'), ['--no-throttle'], root);
    try {
      log(`${label}: app ready at ${app.url} in ${app.seconds.toFixed(1)} s; GET /products/{id}, ${seconds} s per concurrency…`);
      const reads = await productReads(app.url, seconds);
      log(`${label}: 16 buyers placing orders for ${seconds * 2} s (after as long unmeasured)…`);
      const orders = await buyers(app.url, 16, seconds * 2);
      for (const result of [...reads.values(), orders]) if (result.firstFailure) log(`${label}: first failure: ${result.firstFailure}`);
      return { label, getItem, reads, orders };
    } finally {
      await app.stop();
    }
  });
}

function readRows(figures: TreeFigures): string[][] {
  return CONCURRENCIES.flatMap((concurrency) => {
    const base = figures.getItem.get(concurrency)!;
    const read = figures.reads.get(concurrency)!;
    return [
      [`${figures.label}: DynamoDB Local GetItem, c=${concurrency}`, ms(base.p50), ms(base.p99), base.perSecond.toFixed(0), '1.00×', '1.00×', String(base.failures)],
      [`${figures.label}: GET /products/{id}, c=${concurrency}`, ms(read.p50), ms(read.p99), read.perSecond.toFixed(0), ratio(read.p50, base.p50), ratio(read.perSecond, base.perSecond), String(read.failures)],
    ];
  });
}

/** Orders per second for each GetItem per second (c=16) of the same tree's run. */
const ordersPerGetItem = (figures: TreeFigures) => figures.orders.perSecond / figures.getItem.get(16)!.perSecond;

function orderRow(figures: TreeFigures, current: TreeFigures): string[] {
  const { orders } = figures;
  return [
    `${figures.label}: POST /orders → CONFIRMED`, orders.perSecond.toFixed(2), orders.p50.toFixed(0), orders.p99.toFixed(0), orders.readsPerOrder.toFixed(1),
    ordersPerGetItem(figures).toExponential(2), ratio(ordersPerGetItem(figures), ordersPerGetItem(current)), String(orders.failures),
  ];
}

const READ_HEADER = ['reads', 'p50 ms', 'p99 ms', 'req/s', 'p50 ×GetItem', 'req/s ×GetItem', 'failed'];
const ORDER_HEADER = ['orders (16 buyers)', 'confirmed/s', 'place→confirmed p50 ms', 'p99 ms', 'GET /orders/{id} per order', 'orders/s ×GetItem/s (c=16)', '×this tree', 'not confirmed'];

/** @param baseline a git revision measured the same way after this tree (its own worktree and `npm start`). */
export async function benchLoad({ seconds, log, baseline }: { seconds: number; log: (line: string) => void; baseline?: string }): Promise<void> {
  const current = await measureTree('this tree', undefined, seconds, log);
  // Printed at once: a baseline that fails to start must not take this tree's figures with it.
  log(table(READ_HEADER, readRows(current)));
  log(table(ORDER_HEADER, [orderRow(current, current)]));
  if (baseline === undefined) return;
  const old = await withBaselineTree(baseline, log, (root, commit) => measureTree(`baseline ${commit.slice(0, 7)}`, root, seconds, log));
  log(table(READ_HEADER, [...readRows(current), ...readRows(old)]));
  log(table(ORDER_HEADER, [orderRow(current, current), orderRow(old, current)]));
}
