/**
 * The cost bench's counting proxy: an HTTP server the offline runtime uses as its DynamoDB
 * endpoint (`npm start -- --dynamodb-endpoint`), forwarding every request to DynamoDB Local and
 * counting the read and write units each data-plane request would consume on AWS.
 *
 * - Every DynamoDB request gets `ReturnConsumedCapacity: INDEXES` (unless its caller asked for
 *   capacity itself); the figure is taken out of the answer again, so the caller sees what it
 *   would have seen (body, length and CRC32 recomputed).
 * - DynamoDB Local's figures follow AWS's rules for single-item and query operations (checked in
 *   test/infra/bench-cost-proxy.test.ts) but not for transactions: it bills two small Puts in
 *   one transaction 2 WRU, not 4, and a ConditionCheck nothing. So TransactWriteItems is
 *   computed here by AWS's documented rule, 2 WRU per KB of each item (the larger of its size
 *   before and after; a ConditionCheck as a write of the item checked), from the items read
 *   around it; its index writes are DynamoDB Local's. TransactGetItems: 2 RRU per 4 KB per item.
 * - A write whose condition fails still costs on AWS: 1 WRU each (2 per item in a transaction).
 * - Stream reads (DynamoDBStreams_*) are forwarded but not counted: Lambda's stream polling is free.
 * - A request is from a function when its user agent names Lambda's execution environment
 *   (`exec-env/AWS_Lambda_…`, which only the functions' environment sets); the rest is the
 *   offline runtime's own (creating tables, the seed, the console), kept apart.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { keyLabel, transactionReadUnits, transactionWriteUnits, type AttributeMap, type ItemReader, type KeySchema } from './cost-item-size';

export interface CountedRequest {
  /** Epoch ms when the request arrived. */
  readonly at: number;
  /** How long DynamoDB Local took to answer it (the proxy's own reads for transactions excluded), ms. */
  readonly ms: number;
  readonly operation: string;
  readonly table: string;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Whether a function (not the offline runtime itself) sent it. */
  readonly fromFunction: boolean;
  /** Its condition failed (still billed). */
  readonly conditionFailed: boolean;
  /** The items written: a transaction's with their billed sizes (`Put ORDER#… 1234 B`), a single write's key (`PAYMENT#…`). */
  readonly items?: readonly string[];
}

export interface CountingProxy {
  readonly endpoint: string;
  /** Every data-plane request counted since the last reset. */
  counted(): readonly CountedRequest[];
  reset(): void;
  stop(): Promise<void>;
}

interface Capacity {
  readonly TableName?: string;
  readonly CapacityUnits?: number;
  readonly ReadCapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
  readonly Table?: { CapacityUnits?: number };
  readonly GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  readonly LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

const DYNAMODB = 'DynamoDB_20120810.';
const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const CONDITION_FAILED = /ConditionalCheckFailedException|TransactionCanceledException/;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

const indexUnits = (indexes: Capacity['GlobalSecondaryIndexes']) => Object.values(indexes ?? {}).reduce((sum, index) => sum + (index.CapacityUnits ?? 0), 0);

/** The tables a request names: TableName, or the keys of RequestItems, or each TransactItems entry's. */
function tablesOf(request: Record<string, unknown>): string[] {
  if (typeof request.TableName === 'string') return [request.TableName];
  if (request.RequestItems && typeof request.RequestItems === 'object') return Object.keys(request.RequestItems);
  const items = (request.TransactItems as Record<string, { TableName: string }>[] | undefined) ?? [];
  return [...new Set(items.map((item) => Object.values(item)[0]!.TableName))];
}

/** What the forwarded answer's ConsumedCapacity says, per table: reads or writes by the operation's kind. */
function unitsOf(operation: string, capacity: Capacity | Capacity[] | undefined): Map<string, { read: number; write: number; indexes: number }> {
  const byTable = new Map<string, { read: number; write: number; indexes: number }>();
  for (const entry of [capacity ?? []].flat()) {
    const total = entry.CapacityUnits ?? 0;
    const indexes = indexUnits(entry.GlobalSecondaryIndexes) + indexUnits(entry.LocalSecondaryIndexes);
    const units = READS.has(operation) ? { read: total, write: 0, indexes } : { read: 0, write: total, indexes };
    byTable.set(entry.TableName ?? '?', units);
  }
  return byTable;
}

/** Reads the proxy makes for its own arithmetic: straight to DynamoDB Local, never counted. */
function upstreamReader(upstream: string): ItemReader {
  const call = async (operation: string, request: object) => {
    const response = await fetch(upstream, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `${DYNAMODB}${operation}`, authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' },
      body: JSON.stringify(request),
    });
    if (!response.ok) throw new Error(`${operation} on DynamoDB Local answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const schemas = new Map<string, Promise<KeySchema>>();
  return {
    getItem: async (table, key) => (await call('GetItem', { TableName: table, Key: key, ConsistentRead: true })).Item as AttributeMap | undefined,
    keySchema: (table) => {
      if (!schemas.has(table)) schemas.set(table, call('DescribeTable', { TableName: table }).then((answer) => ((answer.Table as { KeySchema: KeySchema }).KeySchema)));
      return schemas.get(table)!;
    },
  };
}

async function keyOf(reader: ItemReader, table: string, item: AttributeMap): Promise<AttributeMap> {
  return Object.fromEntries((await reader.keySchema(table)).map(({ AttributeName }) => [AttributeName, item[AttributeName]!]));
}

function forward(upstream: URL, req: IncomingMessage, payload: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers[name] = value;
  return fetch(upstream, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : payload }).then(async (response) => ({
    status: response.status,
    headers: Object.fromEntries([...response.headers].filter(([name]) => !['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name))),
    body: Buffer.from(await response.arrayBuffer()),
  }));
}

export async function startCountingProxy(upstreamEndpoint: string): Promise<CountingProxy> {
  const upstream = new URL(upstreamEndpoint);
  const reader = upstreamReader(upstreamEndpoint);
  let counted: CountedRequest[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    const payload = await body(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(DYNAMODB) ? target.slice(DYNAMODB.length) : '';
    if (!READS.has(operation) && !WRITES.has(operation)) {
      const answer = await forward(upstream, req, payload);
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    const request = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    const askedForCapacity = request.ReturnConsumedCapacity !== undefined && request.ReturnConsumedCapacity !== 'NONE';
    const transaction = operation === 'TransactWriteItems' ? await transactionWriteUnits(reader, request.TransactItems as never) : undefined;
    const sent = performance.now();
    const answer = await forward(upstream, req, Buffer.from(JSON.stringify(askedForCapacity ? request : { ...request, ReturnConsumedCapacity: 'INDEXES' })));
    const ms = performance.now() - sent;
    const response = JSON.parse(answer.body.toString('utf8') || '{}') as Record<string, unknown>;
    const fromFunction = /exec-env\/AWS_Lambda_/.test(String(req.headers['user-agent'] ?? ''));
    const conditionFailed = answer.status >= 400 && CONDITION_FAILED.test(String(response.__type ?? ''));
    const reported = unitsOf(operation, response.ConsumedCapacity as Capacity | Capacity[] | undefined);
    const sizes = transaction ? await transaction.after() : undefined;
    const reads = operation === 'TransactGetItems' && answer.status < 300 ? transactionReadUnits(request.TransactItems as never, response.Responses as never) : undefined;
    for (const table of tablesOf(request)) {
      const units = reported.get(table) ?? { read: 0, write: 0, indexes: 0 };
      const write = sizes ? (sizes.byTable.get(table) ?? 0) + units.indexes : conditionFailed ? 1 : units.write;
      const read = reads ? (reads.get(table) ?? 0) : units.read;
      const key = (request.Key ?? request.Item) as AttributeMap | undefined;
      const items = sizes?.items ?? (key && WRITES.has(operation) ? [keyLabel(await keyOf(reader, table, key))] : undefined);
      counted.push({ at, ms, operation, table, readUnits: read, writeUnits: write, fromFunction, conditionFailed, ...(items ? { items } : {}) });
    }
    let out = answer.body;
    if (!askedForCapacity && 'ConsumedCapacity' in response) {
      delete response.ConsumedCapacity;
      out = Buffer.from(JSON.stringify(response));
      if ('x-amz-crc32' in answer.headers) answer.headers['x-amz-crc32'] = String(crc32(out));
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(out.length) }).end(out);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: 'CountingProxyError', message: error instanceof Error ? error.message : String(error) }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counted: () => counted,
    reset: () => {
      counted = [];
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
