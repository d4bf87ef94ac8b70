/**
 * The operator CLI (`npm run ops`, scripts/ops) against the offline runtime the suite runs on:
 * a consumer made to fail (the runtime's fault switch) leaves its event in its DLQ, and once the
 * fault is cleared `dlq redrive` delivers it; `events replay` re-delivers a window's events, and
 * the consumers, getting them again, apply nothing twice; `rebuild orders` makes a wiped orders
 * view again; `orders retry` settles a flagged order. Offline only: the fault switch and the
 * runtime's description file exist nowhere else. The retry runs on either saga workflow: with
 * CDK_CONTEXT_JSON='{"sagaWorkflow":"EXPRESS"}' in its environment the suite's runtime is
 * synthesized with prod's EXPRESS saga (see the README's Test section).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../scripts/ops/main';
import type { Reporter } from '../../ops/report';
import { localTarget } from '../../ops/target';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { adminToken, api, eventually, registerAndLogin, unique } from './support/api';
import { FAST_RETRY_STATE } from './support/global-runtime';
import { orderBody, placeOrder, settled, stockedProduct, stockOf, type Order } from './support/shop';

const eventsLog = process.env.E2E_EVENTS_LOG;
const runtimeFile = eventsLog && path.join(path.dirname(eventsLog), 'local-runtime.json');

/** Runs the CLI on the offline runtime, collecting what it prints. */
async function ops(...argv: string[]): Promise<{ code: number; out: string[]; errors: string[] }> {
  const out: string[] = [];
  const errors: string[] = [];
  const report: Reporter = { out: (line) => out.push(line), progress: () => undefined, error: (line) => errors.push(line) };
  const code = await runCli([...argv, '--runtime-file', runtimeFile!], report);
  return { code, out, errors };
}

/** The fault switch of the runtime's Lambda service: the function's invocations whose event contains `matching` fail. */
async function setFault(functionArn: string, matching: string | undefined): Promise<void> {
  const { endpoints } = JSON.parse(readFileSync(runtimeFile!, 'utf8')) as { endpoints: { LAMBDA: string } };
  const url = `${endpoints.LAMBDA}/local/faults/${encodeURIComponent(functionArn)}`;
  const reply = await fetch(url, matching === undefined ? { method: 'DELETE' } : { method: 'PUT', body: JSON.stringify({ message: 'ops e2e fault', matching }) });
  expect(reply.status).toBe(204);
}

/** Inventory's consumer of ProductCreated (it creates the product's stock record) and its DLQ. */
function stockRecordConsumer() {
  const queue = localTarget(runtimeFile).resources.deadLetterQueues.find((candidate) => candidate.purpose.includes('OnProductCreated'));
  if (queue?.redrive.kind !== 'function') throw new Error('no dead-letter queue redriving to OnProductCreated');
  return { queue: queue.name, functionArn: queue.redrive.arn };
}

async function createProduct(name: string): Promise<string> {
  const created = await api.post('/products', {
    token: await adminToken(),
    body: { name, category: unique('ops'), priceCents: 500, currency: 'USD', sku: unique('OPS') },
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function depthOf(queue: string): Promise<number> {
  const { out } = await ops('dlq', 'list', '--local');
  const row = out.find((line) => line.startsWith(`${queue} `));
  return Number(row?.split(/\s+/)[1] ?? Number.NaN);
}

describe.runIf(runtimeFile)('ops CLI on the offline runtime', () => {
  it('prints its help', async () => {
    const { code, out } = await ops('--help');
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('dlq redrive <queue>');
  });

  it('finds the runtime in a file that holds its endpoints and the fixed local credentials, nothing the SDK added to them', () => {
    const written = JSON.parse(readFileSync(runtimeFile!, 'utf8')) as { credentials: unknown; endpoints: Record<string, string> };
    expect(written.credentials).toEqual({ accessKeyId: 'local', secretAccessKey: 'local' });
    expect(Object.keys(written.endpoints)).toEqual(expect.arrayContaining(['DYNAMODB', 'SQS', 'EVENTBRIDGE', 'SFN', 'LAMBDA']));
  });

  it('refuses an unknown command with its usage, exit code 2', async () => {
    const { code, errors } = await ops('dlq', 'drain');
    expect(code).toBe(2);
    expect(errors.join('\n')).toContain('unknown command "dlq drain"');
  });

  it('leaves a failing consumer\'s event in its DLQ, and redrives it once the fault is cleared', async () => {
    const { queue, functionArn } = stockRecordConsumer();
    const name = unique('Redriven');
    await setFault(functionArn, name);
    let productId: string;
    try {
      productId = await createProduct(name);
      // Lambda's two async retries, then its on-failure destination: every delivery of the event ends in the DLQ.
      await eventually('the event in the DLQ', async () => ((await depthOf(queue)) >= 1 ? true : undefined), { timeoutMs: 30_000, intervalMs: 500 });
      expect((await api.get(`/inventory/${productId}`)).status).toBe(404);
    } finally {
      await setFault(functionArn, undefined);
    }

    const dryRun = await ops('dlq', 'redrive', 'OnProductCreated', '--local', '--dry-run');
    expect(dryRun.out.join('\n')).toMatch(/^dry run: would send \d+ message/);
    expect(await depthOf(queue)).toBeGreaterThanOrEqual(1);

    const redrive = await ops('dlq', 'redrive', 'OnProductCreated', '--local');
    expect(redrive.code).toBe(0);
    expect(redrive.out.at(-1)).toMatch(/^redrove [1-9]\d* message\(s\) from .* to function /);
    await eventually('the stock record', async () => ((await api.get(`/inventory/${productId}`)).status === 200 ? true : undefined), { timeoutMs: 15_000 });
    expect(await depthOf(queue)).toBe(0);
  }, 90_000);

  it('replays a window of the archive: its events are delivered again and applied once', async () => {
    const from = new Date(Date.now() - 1000);
    const productId = await createProduct(unique('Replayed'));
    const admin = await adminToken();
    await eventually('the stock record', async () => ((await api.get(`/inventory/${productId}`)).status === 200 ? true : undefined));
    expect((await api.post(`/inventory/${productId}/restock`, { token: admin, body: { quantity: 7 } })).status).toBe(200);
    const to = new Date(Date.now() + 1000);

    // Only a replayed event carries `replay-name`: failing those proves the replay reached the consumer.
    const { queue, functionArn } = stockRecordConsumer();
    await setFault(functionArn, '"replay-name"');
    try {
      const replay = await ops('events', 'replay', '--local', '--from', from.toISOString(), '--to', to.toISOString(), '--detail-type', 'ProductCreated');
      expect(replay.code).toBe(0);
      expect(replay.out.at(-1)).toMatch(/^replay ops-\d+ COMPLETED: .* rule\(s\): /);
      await eventually('the replayed event in the DLQ', async () => ((await depthOf(queue)) >= 1 ? true : undefined), { timeoutMs: 30_000, intervalMs: 500 });
    } finally {
      await setFault(functionArn, undefined);
    }
    // Delivered again, for real this time: the consumer keeps the record as it is (a second apply would reset the stock).
    expect((await ops('dlq', 'redrive', 'OnProductCreated', '--local')).code).toBe(0);
    expect(await depthOf(queue)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await api.get<{ available: number }>(`/inventory/${productId}`)).body.available).toBe(7);
  }, 90_000);

  it('rebuilds an order\'s view from its events, and lists no flagged order it did not flag', async () => {
    const customer = await registerAndLogin();
    const productId = await stockedProduct(3);
    const order = await settled(customer.token, (await placeOrder(customer.token, orderBody(productId, 'tok_visa'))).body.orderId, ['CONFIRMED']);
    // The view drifts from the events (as a bad deploy or a hand edit could make it).
    const target = localTarget(runtimeFile);
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig('DYNAMODB')));
    await dynamo.send(new UpdateCommand({
      TableName: target.resources.ordersTableName, Key: { pk: `ORDER#${order.orderId}`, sk: 'STATE' },
      UpdateExpression: 'SET #status = :pending', ExpressionAttributeNames: { '#status': 'status' }, ExpressionAttributeValues: { ':pending': 'PENDING' },
    }));
    expect((await api.get<Order>(`/orders/${order.orderId}`, { token: customer.token })).body.status).toBe('PENDING');

    const dryRun = await ops('rebuild', 'orders', '--local', '--dry-run');
    expect(dryRun.out).toContain(`order ${order.orderId}: status PENDING → CONFIRMED`);
    expect((await api.get<Order>(`/orders/${order.orderId}`, { token: customer.token })).body.status).toBe('PENDING');

    const rebuilt = await ops('rebuild', 'orders', '--local');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out.at(-1)).toMatch(/^rebuilt the orders view: \d+ order\(s\), [1-9]\d* drifted, \d+ missing \([1-9]\d* rewritten/);
    expect((await api.get<Order>(`/orders/${order.orderId}`, { token: customer.token })).body.status).toBe('CONFIRMED');

    const flagged = await ops('orders', 'flagged', '--local');
    expect(flagged.code).toBe(0);
    expect(flagged.out.at(-1)).toMatch(/^\d+ order\(s\) need an operator$/);
    expect(flagged.out.join('\n')).not.toContain(order.orderId);
  }, 90_000);

  it('makes a wiped orders view again from the event store: GET /orders/{id} and GET /orders answer as before', async () => {
    const customer = await registerAndLogin();
    const productId = await stockedProduct(5);
    const confirmed = (await placeOrder(customer.token, orderBody(productId, 'tok_visa'))).body.orderId;
    const declined = (await placeOrder(customer.token, orderBody(productId, 'tok_decline'))).body.orderId;
    const orderIds = [confirmed, declined];
    for (const orderId of orderIds) await settled(customer.token, orderId, ['CONFIRMED', 'CANCELLED']);
    const answers = async () => ({
      orders: await Promise.all(orderIds.map(async (orderId) => {
        const reply = await api.get<Order>(`/orders/${orderId}`, { token: customer.token });
        return { status: reply.status, body: reply.body };
      })),
      listing: (await api.get<{ items: Order[] }>('/orders', { token: customer.token })).body,
    });
    const before = await answers();
    expect(before.orders.map((order) => order.body.status)).toEqual(['CONFIRMED', 'CANCELLED']);
    expect(before.listing.items.map((order) => order.orderId)).toEqual([...orderIds].reverse());

    // The view (each order's STATE item, which the listing's index is built from) is wiped: only this customer's, other suites run meanwhile.
    const target = localTarget(runtimeFile);
    const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(target.clientConfig('DYNAMODB')));
    for (const orderId of orderIds) {
      await dynamo.send(new DeleteCommand({ TableName: target.resources.ordersTableName, Key: { pk: `ORDER#${orderId}`, sk: 'STATE' } }));
    }
    expect((await api.get(`/orders/${confirmed}`, { token: customer.token })).status).toBe(404);
    expect((await answers()).listing.items).toEqual([]);

    const dryRun = await ops('rebuild', 'orders', '--local', '--dry-run');
    expect(dryRun.out).toEqual(expect.arrayContaining(orderIds.map((orderId) => `order ${orderId}: no view → made again from 2 event(s)`)));
    expect((await api.get(`/orders/${confirmed}`, { token: customer.token })).status).toBe(404);

    const rebuilt = await ops('rebuild', 'orders', '--local');
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out.at(-1)).toMatch(/^rebuilt the orders view: \d+ order\(s\), \d+ drifted, [2-9]\d* missing \(\d+ rewritten, [2-9]\d* made again/);
    expect(await answers()).toEqual(before);
  }, 90_000);

  it('lists an order flagged by a compensation that kept failing, and settles it with orders retry', async () => {
    const target = localTarget(runtimeFile);
    const sfn = new SFNClient(target.clientConfig('SFN'));
    const { definition, type } = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: target.resources.orderSagaArn }));
    // The runtime runs the saga the suite's context asks for: CDK_CONTEXT_JSON='{"sagaWorkflow":"EXPRESS"}' runs this test on prod's
    // EXPRESS saga, whose executions keep no history for the retry to read (and whose ARNs the old retry could not even name).
    expect(type).toBe(String((JSON.parse(process.env.CDK_CONTEXT_JSON ?? '{}') as { sagaWorkflow?: string }).sagaWorkflow ?? 'STANDARD').toUpperCase());
    const release = (JSON.parse(definition!) as { States: Record<string, { Resource: string }> }).States[FAST_RETRY_STATE]!.Resource;
    const customer = await registerAndLogin();
    const productId = await stockedProduct(4);
    // Every step's payload carries the correlation id: only this order's release fails.
    const correlationId = unique('flagged');
    await setFault(release, correlationId);
    let orderId: string;
    try {
      orderId = (await placeOrder(customer.token, orderBody(productId, 'tok_decline'), { 'X-Correlation-Id': correlationId })).body.orderId;
      // The release's six retries, 100 ms apart here (the suite's runtime: --retry-interval), then
      // FlagOrder: seconds. Their real backoff, up to a minute and a half, would not fit.
      await eventually('the order to be flagged', async () => ((await ops('orders', 'flagged', '--local')).out.some((line) => line.startsWith(orderId)) ? true : undefined), { timeoutMs: 60_000, intervalMs: 500 });
    } finally {
      await setFault(release, undefined);
    }
    expect((await api.get<Order>(`/orders/${orderId}`, { token: customer.token })).body.status).toBe('PENDING');
    expect((await stockOf(productId)).reserved).toBe(1);

    const dryRun = await ops('orders', 'retry', orderId, '--local', '--dry-run');
    expect(dryRun.out).toEqual([
      `order ${orderId}: ReleaseStockPaymentDeclined failed; the retry runs ReleaseStockPaymentDeclined → CancelOrderPaymentDeclined`,
      'dry run: nothing invoked, the order stays flagged',
    ]);

    const retried = await ops('orders', 'retry', orderId, '--local');
    expect(retried.errors).toEqual([]);
    expect(retried.out.at(-1)).toBe(`order ${orderId} settled: CANCELLED, no longer flagged`);
    const order = (await api.get<Order>(`/orders/${orderId}`, { token: customer.token })).body;
    expect(order).toMatchObject({ status: 'CANCELLED', statusReason: 'PAYMENT_DECLINED' });
    expect(await stockOf(productId)).toMatchObject({ available: 4, reserved: 0 });
    expect((await ops('orders', 'flagged', '--local')).out.some((line) => line.startsWith(orderId))).toBe(false);
    expect((await ops('orders', 'retry', orderId, '--local')).errors.join('\n')).toContain(`order ${orderId} is not flagged (status CANCELLED)`);
  }, 150_000);
});
