/**
 * One order's footprint, measured on the offline runtime (`npm start`) rather than assumed: its
 * DynamoDB units through the counting proxy (cost-dynamo-proxy.ts), and from the offline
 * console's record of what the services did (the same record its page shows): the API requests,
 * the Lambda invocations with their handler times, the events published and the SQS messages.
 * A few warm-up orders first (cold starts are priced apart, at a stated rate), then `orders`
 * orders one after another, each left to settle (its saga done and the runtime quiet) before
 * the next, so that every invocation and request in the window belongs to one of them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from '../../local/dynamodb/local-dynamodb';
import { startCountingProxy, type CountedRequest } from './cost-dynamo-proxy';
import { node24 } from './node24';
import { startApp } from './offline';
import { ADDRESS, buyer, call } from './orders-load';
import { withTempDir } from './synth';

/** What the offline console records (local/console/recorder.ts), as its stream sends it. */
export interface ConsoleRecord {
  readonly seq: number;
  readonly at: number;
  readonly kind: 'request' | 'invocation' | 'event' | 'delivery' | 'execution';
  readonly data: Record<string, unknown>;
}

export interface MeasuredOrders {
  readonly orders: number;
  readonly records: readonly ConsoleRecord[];
  readonly dynamo: readonly CountedRequest[];
  /** Each saga execution's duration (Step Functions' own start and stop), ms. */
  readonly sagaMs: readonly number[];
}

const WARM_UP_ORDERS = 2;
/** The runtime is quiet when it has recorded nothing for this long: the order's last consumer is done. */
const QUIET_MS = 1500;
const SETTLE_TIMEOUT_MS = 60_000;

/** The console's record stream, read into `records` until stopped (executions are polled only while someone listens). */
async function followConsole(url: string): Promise<{ records: ConsoleRecord[]; stop(): void }> {
  const records: ConsoleRecord[] = [];
  const abort = new AbortController();
  const response = await fetch(`${url}/_console/api/stream`, { signal: abort.signal });
  if (!response.ok || !response.body) throw new Error(`the console stream answered ${response.status}`);
  const decoder = new TextDecoder();
  let buffered = '';
  void (async () => {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        const messages = buffered.split('\n\n');
        buffered = messages.pop()!;
        for (const message of messages) {
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (data) records.push(JSON.parse(data) as ConsoleRecord);
        }
      }
    } catch {
      // Aborted: the measurement is over.
    }
  })();
  return { records, stop: () => abort.abort() };
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${SETTLE_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Places one order and waits until its saga has succeeded and the runtime is quiet; then reads it once, as the buyer would. */
async function placeAndSettle(url: string, token: string, productId: string, records: ConsoleRecord[]): Promise<string> {
  const order = await call(`${url}/orders`, 'POST', token, { items: [{ productId, quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: ADDRESS });
  const orderId = String(order.orderId);
  const execution = () => records.find((record) => record.kind === 'execution' && String(record.data.input).includes(orderId) && record.data.status !== 'RUNNING');
  await until(`no saga execution ended for order ${orderId}`, () => execution() !== undefined);
  if (execution()!.data.status !== 'SUCCEEDED') throw new Error(`order ${orderId}'s saga ended ${String(execution()!.data.status)}`);
  const quiet = () => Date.now() - (records.at(-1)?.at ?? 0) > QUIET_MS;
  await until('the runtime never went quiet', quiet);
  const read = await call(`${url}/orders/${orderId}`, 'GET', token);
  if (read.status !== 'CONFIRMED') throw new Error(`order ${orderId} is ${String(read.status)}, not CONFIRMED`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await until('the runtime never went quiet', quiet);
  return String(execution()!.data.arn);
}

async function sagaDurations(outdir: string, arns: readonly string[]): Promise<number[]> {
  const runtime = JSON.parse(readFileSync(path.join(outdir, 'local-runtime.json'), 'utf8')) as { endpoints: { SFN: string } };
  const client = new SFNClient({ endpoint: runtime.endpoints.SFN, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const described = await Promise.all(arns.map((executionArn) => client.send(new DescribeExecutionCommand({ executionArn }))));
    return described.map((execution) => execution.stopDate!.getTime() - execution.startDate!.getTime());
  } finally {
    client.destroy();
  }
}

/** Starts DynamoDB Local, the counting proxy in front of it and `npm start` on the proxy; places the orders; stops everything. */
export async function measureOrders(orders: number, log: (line: string) => void): Promise<MeasuredOrders> {
  const node = node24(log);
  const dynamo = await startDynamoDbLocal();
  const proxy = await startCountingProxy(dynamo.endpoint);
  try {
    return await withTempDir('commerce-bench-cost-', async (dir) => {
      const outdir = path.join(dir, 'cdk.out');
      const app = await startApp(node, outdir, ['--no-throttle', '--dynamodb-endpoint', proxy.endpoint]);
      const console = await followConsole(app.url);
      try {
        const token = await buyer(app.url);
        const page = (await call(`${app.url}/products`, 'GET')) as { items?: { id: string }[] };
        const productId = page.items?.[0]?.id;
        if (!productId) throw new Error('the demo catalog is empty');
        for (let index = 0; index < WARM_UP_ORDERS; index++) await placeAndSettle(app.url, token, productId, console.records);
        proxy.reset();
        const from = console.records.length;
        const arns: string[] = [];
        for (let index = 0; index < orders; index++) arns.push(await placeAndSettle(app.url, token, productId, console.records));
        return { orders, records: console.records.slice(from), dynamo: [...proxy.counted()], sagaMs: await sagaDurations(outdir, arns) };
      } finally {
        console.stop();
        await app.stop();
      }
    });
  } finally {
    await proxy.stop();
    await dynamo.stop();
  }
}
