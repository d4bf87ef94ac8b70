/**
 * Offline load: GET /products/{id} through the offline runtime (throttle lifted) against DynamoDB
 * Local's own GetItem of the same product (the app's DynamoDB Local), both closed loops at
 * concurrency 1 and 16 in the same run, each after an unmeasured warm-up at the same concurrency
 * until it stops getting faster; then 16 buyers placing orders for a fixed time
 * (after as long a warm-up, polling with backoff): orders confirmed/s and place → confirmed
 * p50/p99 by the orders' own timestamps, and the reads per order. With --baseline REV, the
 * same again for that revision's tree (GetItem measured on its own DynamoDB Local), and its orders
 * per GetItem/s set beside this tree's: the one honest ratio across a drifting machine.
 */
import { existsSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import * as path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { productKey } from '../../functions/catalog/adapters/dynamo-product-store';
import { localTarget, required } from '../../ops/target';
import { withBaselineTree } from './baseline-tree';
import { steadyClosedLoop, type LoadResult } from './closed-loop';
import { node24 } from './node24';
import { startApp } from './offline';
import { buyers, type OrdersResult } from './orders-load';
import { ratio, table } from './stats';
import { withTempDir } from './synth';

const CONCURRENCIES = [1, 16] as const;

/**
 * DynamoDB Local's own GetItem of the very item GET /products/{id} returns: the app's DynamoDB
 * Local (same JVM, same tables, same warmth and background pollers), the catalog's table, by key
 * and consistently, as the catalog's store reads it. A separate DynamoDB Local with a small item
 * of its own, as this bench had before, was a JVM warmed by tens of thousands of its GetItems
 * against the app's few thousand reads, serving an item a third of the size.
 */
function productGetItem(outdir: string, productId: string): { read(): Promise<void>; close(): void } {
  const target = localTarget(path.join(outdir, 'local-runtime.json'));
  const client = new DynamoDBClient(target.clientConfig('DYNAMODB'));
  const command = new GetItemCommand({ TableName: required(target, 'catalogTableName'), Key: marshall(productKey(productId)), ConsistentRead: true });
  return {
    read: async () => {
      if (!(await client.send(command)).Item) throw new Error(`GetItem found no item for product ${productId}`);
    },
    close: () => client.destroy(),
  };
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

/**
 * At each concurrency, DynamoDB Local's GetItem of a product, then GET /products/{id} of it, each
 * warmed until steady. A tree whose runtime describes no DynamoDB endpoint (before
 * local-runtime.json) gets no GetItem of its own: see benchLoad.
 */
async function productReads(url: string, outdir: string, seconds: number, log: (line: string) => void): Promise<Pick<TreeFigures, 'getItem' | 'reads'>> {
  const http = httpGetter(url);
  const page = JSON.parse((await http.get('/products')).body) as { items: { id: string }[] };
  const id = page.items[0]?.id;
  if (!id) throw new Error('the offline app has no products: was it started with --no-seed?');
  const getItem = existsSync(path.join(outdir, 'local-runtime.json')) ? productGetItem(outdir, id) : undefined;
  try {
    const read = async () => {
      const { status } = await http.get(`/products/${id}`);
      if (status !== 200) throw new Error(`GET /products/${id} answered ${status}`);
    };
    const figures = { getItem: new Map<number, LoadResult>(), reads: new Map<number, LoadResult>() };
    for (const concurrency of CONCURRENCIES) {
      const base = getItem && (await steadyClosedLoop(concurrency, seconds, getItem.read));
      const api = await steadyClosedLoop(concurrency, seconds, read);
      log(`  c=${concurrency}: ${base ? `GetItem steady after ${base.warmSeconds} s, ` : ''}GET /products/{id} after ${api.warmSeconds} s`);
      if (base) figures.getItem.set(concurrency, base);
      figures.reads.set(concurrency, api);
    }
    return figures;
  } finally {
    getItem?.close();
    http.close();
  }
}

const ms = (value: number) => value.toFixed(1);

interface TreeFigures {
  readonly label: string;
  /** The app's DynamoDB Local's own GetItem of the product read, measured just before the reads at each concurrency. */
  readonly getItem: Map<number, LoadResult>;
  /** Whose GetItem the ratios use: the tree's own, or (a tree that describes no endpoint) this tree's. */
  readonly getItemOf?: string;
  readonly reads: Map<number, LoadResult>;
  readonly orders: OrdersResult;
}

/** This tree's `npm start` (throttle lifted): GetItem and reads at each concurrency, then 16 buyers. */
async function measureTree(label: string, root: string | undefined, seconds: number, log: (line: string) => void): Promise<TreeFigures> {
  const node = node24(log);
  return withTempDir('commerce-bench-load-', async (dir) => {
    const outdir = path.join(dir, 'cdk.out');
    const app = await startApp(node, outdir, ['--no-throttle'], root);
    try {
      log(`${label}: app ready at ${app.url} in ${app.seconds.toFixed(1)} s; its DynamoDB Local's GetItem, then GET /products/{id}, ${seconds} s each per concurrency once steady…`);
      const { getItem, reads } = await productReads(app.url, outdir, seconds, log);
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
      [`${figures.getItemOf ?? figures.label}: DynamoDB Local GetItem, c=${concurrency}`, ms(base.p50), ms(base.p99), base.perSecond.toFixed(0), '1.00×', '1.00×', String(base.failures)],
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
  const measured = await withBaselineTree(baseline, log, (root, commit) => measureTree(`baseline ${commit.slice(0, 7)}`, root, seconds, log));
  // A tree from before local-runtime.json: its ratios use this tree's GetItem, measured minutes
  // earlier on the same machine, so its orders ratio is the two trees' orders/s compared directly.
  const old = measured.getItem.size > 0 ? measured : { ...measured, getItem: current.getItem, getItemOf: 'this tree (the baseline describes no endpoint)' };
  log(table(READ_HEADER, [...readRows(current), ...readRows(old)]));
  log(table(ORDER_HEADER, [orderRow(current, current), orderRow(old, current)]));
}
