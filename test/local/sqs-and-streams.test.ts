import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  arnFor,
  attributeFor,
  localPhysicalName,
  refFor,
  type LocalEnvironment,
} from '../../local/cloudformation/physical-names';
import { LOCAL_CREDENTIALS } from '../../local/dynamodb/local-dynamodb';
import { createTables, streamArnOf } from '../../local/dynamodb/tables';
import { startEventSourceMappings } from '../../local/lambda-event-sources/event-source-mappings';
import type { LambdaStreamRecord } from '../../local/lambda-event-sources/stream-records';
import { startSqs, type SqsService } from '../../local/sqs/sqs-service';
import type { InvokeResult, LambdaInvoker, LocalAssembly, LocalResource, RunningService } from '../../local/types';
import { createLocalDynamoClient, dynamoEndpoint } from '../support/dynamodb';
import { assemblyOf as localAssembly } from '../support/local-assembly';

const REGION = 'eu-west-1';
/** Not fauxqs's own 000000000000: URLs and ARNs must follow the app's account. */
const ACCOUNT = '123456789012';
/** A fresh stack name per run keeps tables apart in the DynamoDB Local shared by all test files. */
const STACK = `sqs-streams-${randomUUID().slice(0, 8)}`;
const POLL_MS = 50;

const QUEUE = 'AWS::SQS::Queue';
const TABLE = 'AWS::DynamoDB::Table';
const MAPPING = 'AWS::Lambda::EventSourceMapping';

// ---------------------------------------------------------------------------------------------
// Fixtures: resources named, referenced and ARN'd by the template resolver's own functions

function environment(sqs: SqsService): LocalEnvironment {
  return { region: REGION, accountId: ACCOUNT, partition: 'aws', sqsBaseUrl: sqs.baseUrl };
}

function resource(env: LocalEnvironment, type: string, logicalId: string, properties: Record<string, unknown>): LocalResource {
  const name = localPhysicalName(type, STACK, logicalId, properties);
  const hasArn = type !== MAPPING;
  return {
    stackName: STACK,
    logicalId,
    type,
    ref: refFor(type, name, env, properties),
    ...(hasArn ? { arn: arnFor(type, name, env, properties) } : {}),
    properties,
    metadata: {},
  };
}

function assemblyOf(resources: readonly LocalResource[]): LocalAssembly {
  return localAssembly(resources, { region: REGION, accountId: ACCOUNT, directory: tmpdir() });
}

function arnOf(queue: LocalResource): string {
  if (!queue.arn) throw new Error(`${queue.logicalId} has no ARN`);
  return queue.arn;
}

/** What the template's `Fn::GetAtt [Table, StreamArn]` resolves to. */
function templateStreamArn(env: LocalEnvironment, table: LocalResource): string {
  const value = attributeFor(TABLE, table.ref, 'StreamArn', env);
  if (typeof value !== 'string') throw new Error('StreamArn is a string');
  return value;
}

function outboxTable(env: LocalEnvironment, logicalId: string): LocalResource {
  return resource(env, TABLE, logicalId, {
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    GlobalSecondaryIndexes: [
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    SSESpecification: { SSEEnabled: true },
  });
}

function sqsMapping(env: LocalEnvironment, logicalId: string, functionName: string, queue: LocalResource, extra: Record<string, unknown> = {}): LocalResource {
  return resource(env, MAPPING, logicalId, { FunctionName: functionName, EventSourceArn: arnOf(queue), ...extra });
}

function streamMapping(env: LocalEnvironment, logicalId: string, functionName: string, table: LocalResource, extra: Record<string, unknown> = {}): LocalResource {
  return resource(env, MAPPING, logicalId, {
    FunctionName: functionName,
    EventSourceArn: templateStreamArn(env, table),
    StartingPosition: 'TRIM_HORIZON',
    ...extra,
  });
}

// ---------------------------------------------------------------------------------------------
// A Lambda invoker that records batches and answers as told

interface Invocation {
  readonly functionName: string;
  readonly records: readonly unknown[];
  readonly at: number;
}

type Handler = (records: readonly unknown[]) => InvokeResult;

class FakeLambda implements LambdaInvoker {
  readonly invocations: Invocation[] = [];
  private readonly handlers = new Map<string, Handler>();

  on(functionName: string, handler: Handler = () => ({ ok: true, payload: null })): this {
    this.handlers.set(functionName, handler);
    return this;
  }

  async invoke(functionName: string, payload: unknown): Promise<InvokeResult> {
    const handler = this.handlers.get(functionName);
    if (!handler) throw new Error(`unknown function ${functionName}`);
    const records = (payload as { Records: unknown[] }).Records;
    this.invocations.push({ functionName, records, at: Date.now() });
    return handler(records);
  }

  invokeAsync(): void {
    throw new Error('not used by event source mappings');
  }

  has(functionName: string): boolean {
    return this.handlers.has(functionName);
  }

  batchesOf(functionName: string): readonly unknown[][] {
    return this.invocations.filter((call) => call.functionName === functionName).map((call) => [...call.records]);
  }
}

const failure: InvokeResult = { ok: false, error: { errorType: 'Error', errorMessage: 'boom' } };

function sqsBatches(lambda: FakeLambda, functionName: string): SQSRecord[][] {
  return lambda.batchesOf(functionName) as SQSRecord[][];
}

function streamBatches(lambda: FakeLambda, functionName: string): LambdaStreamRecord[][] {
  return lambda.batchesOf(functionName) as LambdaStreamRecord[][];
}

function pkOf(record: LambdaStreamRecord): string {
  const pk = record.dynamodb.Keys?.pk;
  return typeof pk === 'object' && pk !== null && 'S' in pk ? String(pk.S) : '';
}

// ---------------------------------------------------------------------------------------------
// Small helpers

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function queueCounts(client: SQSClient, queue: LocalResource): Promise<{ visible: number; inFlight: number }> {
  const { Attributes: attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.ref,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(attributes.ApproximateNumberOfMessages),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

async function receiveOne(client: SQSClient, queue: LocalResource): Promise<Message | undefined> {
  const { Messages: messages = [] } = await client.send(
    new ReceiveMessageCommand({ QueueUrl: queue.ref, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
  );
  return messages[0];
}

async function putItem(db: DynamoDBClient, table: LocalResource, pk: string, attributes: Record<string, string> = {}): Promise<void> {
  await db.send(
    new PutItemCommand({
      TableName: table.ref,
      Item: {
        pk: { S: pk },
        sk: { S: 'item' },
        ...Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { S: value }])),
      },
    }),
  );
}

// ---------------------------------------------------------------------------------------------

describe('local SQS, DynamoDB tables and Lambda event sources', () => {
  let sqs: SqsService;
  let env: LocalEnvironment;
  let client: SQSClient;
  let db: DynamoDBClient;
  const services: RunningService[] = [];
  const logs: string[] = [];
  const log = (line: string): void => {
    logs.push(line);
  };

  /** Creates the assembly's tables and queues and starts its mappings with `lambda`. */
  async function start(resources: readonly LocalResource[], lambda: LambdaInvoker): Promise<RunningService> {
    const assembly = assemblyOf(resources);
    await createTables(assembly, dynamoEndpoint());
    await sqs.createQueues(assembly);
    const mappings = await startEventSourceMappings(assembly, {
      lambda,
      sqsEndpoint: sqs.endpoint,
      dynamoEndpoint: dynamoEndpoint(),
      sendToQueue: (queueArn, body) => sqs.sendToQueue(queueArn, body),
      log,
      pollIntervalMs: POLL_MS,
    });
    services.push(mappings);
    return mappings;
  }

  beforeAll(async () => {
    sqs = await startSqs({ log, accountId: ACCOUNT, region: REGION });
    env = environment(sqs);
    client = new SQSClient({ endpoint: sqs.endpoint, region: REGION, credentials: LOCAL_CREDENTIALS });
    db = createLocalDynamoClient();
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    client?.destroy();
    db?.destroy();
    await sqs?.stop();
  });

  describe('createTables', () => {
    it('creates each table as declared: keys, indexes, stream and time to live', async () => {
      const table = outboxTable(env, 'Declared');
      await createTables(assemblyOf([table]), dynamoEndpoint());

      const { Table: described } = await db.send(new DescribeTableCommand({ TableName: table.ref }));
      expect(described?.KeySchema).toEqual([
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ]);
      expect(described?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.KeySchema?.map((key) => key.AttributeName)])).toEqual([
        ['gsi1', ['gsi1pk', 'gsi1sk']],
      ]);
      expect(described?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      expect(described?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
      const { TimeToLiveDescription: ttl } = await db.send(new DescribeTimeToLiveCommand({ TableName: table.ref }));
      expect(ttl).toMatchObject({ AttributeName: 'ttl', TimeToLiveStatus: 'ENABLED' });

      // Idempotent: a second start against the same DynamoDB Local leaves the table as it is.
      await expect(createTables(assemblyOf([table]), dynamoEndpoint())).resolves.toBeUndefined();
    });

    it('maps a table name, its ARN or the template stream ARN to the stream DynamoDB Local created', async () => {
      const table = outboxTable(env, 'Streamed');
      await createTables(assemblyOf([table]), dynamoEndpoint());
      const { Table: described } = await db.send(new DescribeTableCommand({ TableName: table.ref }));
      const real = described?.LatestStreamArn;
      expect(real).toMatch(new RegExp(`table/${table.ref}/stream/`));

      const synthetic = templateStreamArn(env, table);
      expect(synthetic).not.toBe(real);
      expect(await streamArnOf(synthetic, dynamoEndpoint())).toBe(real);
      expect(await streamArnOf(table.ref, dynamoEndpoint())).toBe(real);
      expect(await streamArnOf(arnOf(table), dynamoEndpoint())).toBe(real);
    });
  });

  describe('SQS', () => {
    it('serves each queue at exactly the URL and ARN the resolver gives it', async () => {
      const dlq = resource(env, QUEUE, 'UrlDeadLetters', { MessageRetentionPeriod: 1_209_600 });
      const queue = resource(env, QUEUE, 'UrlWork', {
        VisibilityTimeout: 45,
        DelaySeconds: 0,
        ReceiveMessageWaitTimeSeconds: 2,
        RedrivePolicy: { deadLetterTargetArn: arnOf(dlq), maxReceiveCount: 3 },
      });
      const fifo = resource(env, QUEUE, 'UrlOrdered', { FifoQueue: true, ContentBasedDeduplication: true });
      // Sources first: the dead-letter queue must still be created before the queue redriving to it.
      await sqs.createQueues(assemblyOf([queue, fifo, dlq]));

      expect(sqs.baseUrl).toBe(`${sqs.endpoint}/${ACCOUNT}`);
      expect(queue.ref).toBe(`${sqs.baseUrl}/${localPhysicalName(QUEUE, STACK, 'UrlWork', {})}`);
      expect(fifo.ref.endsWith('.fifo')).toBe(true);

      // Like the app's clients: no endpoint configured, the SDK sends to the QueueUrl's origin.
      const appClient = new SQSClient({
        region: REGION,
        credentials: LOCAL_CREDENTIALS,
        logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      });
      try {
        const { Attributes: attributes } = await appClient.send(new GetQueueAttributesCommand({ QueueUrl: queue.ref, AttributeNames: ['All'] }));
        expect(attributes?.QueueArn).toBe(queue.arn);
        expect(attributes?.VisibilityTimeout).toBe('45');
        expect(attributes?.ReceiveMessageWaitTimeSeconds).toBe('2');
        expect(JSON.parse(attributes?.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 3 });
        const { Attributes: fifoAttributes } = await appClient.send(new GetQueueAttributesCommand({ QueueUrl: fifo.ref, AttributeNames: ['All'] }));
        expect(fifoAttributes).toMatchObject({ QueueArn: fifo.arn, FifoQueue: 'true', ContentBasedDeduplication: 'true' });
        await appClient.send(new SendMessageCommand({ QueueUrl: dlq.ref, MessageBody: 'reachable' }));
        expect((await receiveOne(appClient, dlq))?.Body).toBe('reachable');
      } finally {
        appClient.destroy();
      }
    });

    it('refuses queues whose URL it does not serve, and out-of-range attributes', async () => {
      const unresolved = resource({ ...env, sqsBaseUrl: undefined }, QUEUE, 'Elsewhere', {});
      await expect(sqs.createQueues(assemblyOf([unresolved]))).rejects.toThrow(/sqsBaseUrl/);
      const invalid = resource(env, QUEUE, 'Invalid', { VisibilityTimeout: 50_000 });
      await expect(sqs.createQueues(assemblyOf([invalid]))).rejects.toThrow(/VisibilityTimeout/);
    });

    it('sends to a queue by ARN', async () => {
      const queue = resource(env, QUEUE, 'ByArn', {});
      await sqs.createQueues(assemblyOf([queue]));
      await sqs.sendToQueue(arnOf(queue), '{"hello":"world"}', { source: 'test' });
      const { Messages: messages = [] } = await client.send(
        new ReceiveMessageCommand({ QueueUrl: queue.ref, MessageAttributeNames: ['All'], WaitTimeSeconds: 1 }),
      );
      expect(messages[0]?.Body).toBe('{"hello":"world"}');
      expect(messages[0]?.MessageAttributes?.source?.StringValue).toBe('test');
      await expect(sqs.sendToQueue(`arn:aws:sqs:${REGION}:${ACCOUNT}:missing`, 'x')).rejects.toThrow(/no local SQS queue/);
    });
  });

  describe('SQS event sources', () => {
    it('delivers messages in batches of BatchSize, shaped as Lambda does, and deletes them', async () => {
      const queue = resource(env, QUEUE, 'Deliver', {});
      const mapping = sqsMapping(env, 'DeliverMapping', 'deliver-fn', queue, {
        BatchSize: 3,
        FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { keep: [true] } }) }] },
      });
      await sqs.createQueues(assemblyOf([queue]));
      for (let n = 0; n < 6; n++) {
        await client.send(
          new SendMessageCommand({
            QueueUrl: queue.ref,
            MessageBody: JSON.stringify({ keep: true, n }),
            ...(n === 0 ? { MessageAttributes: { trace: { DataType: 'String', StringValue: 'abc' } } } : {}),
          }),
        );
      }
      await client.send(new SendMessageCommand({ QueueUrl: queue.ref, MessageBody: JSON.stringify({ keep: false }) }));

      const lambda = new FakeLambda().on('deliver-fn');
      await start([queue, mapping], lambda);

      await waitFor('six delivered messages', () => (sqsBatches(lambda, 'deliver-fn').flat().length >= 6 ? true : undefined));
      await waitFor('an empty queue', async () => {
        const counts = await queueCounts(client, queue);
        return counts.visible + counts.inFlight === 0 ? true : undefined;
      });
      const batches = sqsBatches(lambda, 'deliver-fn');
      expect(batches.length).toBeGreaterThanOrEqual(2);
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(3);
      const records = batches.flat();
      // The filtered-out message was deleted without an invocation.
      expect(records.map((record) => (JSON.parse(record.body) as { n: number }).n).sort()).toEqual([0, 1, 2, 3, 4, 5]);

      const first = records.find((record) => record.body.includes('"n":0'));
      expect(first).toMatchObject({
        eventSource: 'aws:sqs',
        eventSourceARN: queue.arn,
        awsRegion: REGION,
        md5OfBody: createHash('md5').update(first?.body ?? '').digest('hex'),
        attributes: { ApproximateReceiveCount: '1' },
        messageAttributes: { trace: { stringValue: 'abc', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      });
      expect(first?.attributes.SentTimestamp).toMatch(/^\d+$/);
      expect(first?.attributes.ApproximateFirstReceiveTimestamp).toMatch(/^\d+$/);
      expect(first?.attributes.SenderId).toBeTruthy();
      expect(first?.receiptHandle).toBeTruthy();
      expect(first?.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    });

    it('gathers messages for up to MaximumBatchingWindowInSeconds into one batch', async () => {
      const queue = resource(env, QUEUE, 'Window', {});
      const mapping = sqsMapping(env, 'WindowMapping', 'window-fn', queue, { BatchSize: 15, MaximumBatchingWindowInSeconds: 1 });
      await sqs.createQueues(assemblyOf([queue]));
      const lambda = new FakeLambda().on('window-fn');
      await start([queue, mapping], lambda);
      for (let n = 0; n < 12; n++) await client.send(new SendMessageCommand({ QueueUrl: queue.ref, MessageBody: String(n) }));

      await waitFor('twelve delivered messages', () => (sqsBatches(lambda, 'window-fn').flat().length >= 12 ? true : undefined));
      // More than one receive's worth (10), in one invocation.
      expect(sqsBatches(lambda, 'window-fn').map((batch) => batch.length)).toEqual([12]);
    });

    it('with ReportBatchItemFailures deletes all but the failed message, which returns after the visibility timeout', async () => {
      const queue = resource(env, QUEUE, 'Partial', { VisibilityTimeout: 1 });
      const mapping = sqsMapping(env, 'PartialMapping', 'partial-fn', queue, { FunctionResponseTypes: ['ReportBatchItemFailures'] });
      await sqs.createQueues(assemblyOf([queue]));
      for (const body of ['a', 'b', 'c']) await client.send(new SendMessageCommand({ QueueUrl: queue.ref, MessageBody: body }));

      let failedOnce = false;
      const lambda = new FakeLambda().on('partial-fn', (records) => {
        const b = (records as SQSRecord[]).find((record) => record.body === 'b');
        if (!b || failedOnce) return { ok: true, payload: { batchItemFailures: [] } };
        failedOnce = true;
        return { ok: true, payload: { batchItemFailures: [{ itemIdentifier: b.messageId }] } };
      });
      await start([queue, mapping], lambda);

      await waitFor('the failed message to come back', () => (lambda.batchesOf('partial-fn').length >= 2 ? true : undefined));
      const [first, second] = sqsBatches(lambda, 'partial-fn');
      expect(first?.map((record) => record.body).sort()).toEqual(['a', 'b', 'c']);
      expect(second?.map((record) => record.body)).toEqual(['b']);
      expect(second?.[0]?.attributes.ApproximateReceiveCount).toBe('2');
      const calls = lambda.invocations.filter((call) => call.functionName === 'partial-fn');
      expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
      await waitFor('an empty queue', async () => {
        const counts = await queueCounts(client, queue);
        return counts.visible + counts.inFlight === 0 ? true : undefined;
      });
      expect(lambda.batchesOf('partial-fn')).toHaveLength(2);
    });

    it('moves a message that fails maxReceiveCount times to the dead-letter queue', async () => {
      const dlq = resource(env, QUEUE, 'PoisonDeadLetters', {});
      const queue = resource(env, QUEUE, 'Poison', {
        VisibilityTimeout: 1,
        RedrivePolicy: { deadLetterTargetArn: arnOf(dlq), maxReceiveCount: 2 },
      });
      const mapping = sqsMapping(env, 'PoisonMapping', 'poison-fn', queue);
      await sqs.createQueues(assemblyOf([queue, dlq]));
      await client.send(new SendMessageCommand({ QueueUrl: queue.ref, MessageBody: 'poison' }));

      const lambda = new FakeLambda().on('poison-fn', () => failure);
      await start([queue, dlq, mapping], lambda);

      const deadLetter = await waitFor('the message in the dead-letter queue', () => receiveOne(client, dlq), 15_000);
      expect(deadLetter.Body).toBe('poison');
      const deliveries = sqsBatches(lambda, 'poison-fn').flat();
      expect(deliveries.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
      expect(await queueCounts(client, queue)).toEqual({ visible: 0, inFlight: 0 });
    });
  });

  describe('DynamoDB stream event sources', () => {
    it('delivers matching records in order, in batches, from TRIM_HORIZON or LATEST', async () => {
      const table = outboxTable(env, 'Outbox');
      const outboxOnly = JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['outbox'] } } } });
      const fromStart = streamMapping(env, 'OutboxFromStart', 'relay-fn', table, {
        BatchSize: 2,
        FilterCriteria: { Filters: [{ Pattern: outboxOnly }] },
      });
      const fromNow = streamMapping(env, 'OutboxFromNow', 'latest-fn', table, {
        StartingPosition: 'LATEST',
        FilterCriteria: { Filters: [{ Pattern: outboxOnly }] },
      });
      await createTables(assemblyOf([table]), dynamoEndpoint());
      await putItem(db, table, 'o1', { kind: 'outbox' });
      await putItem(db, table, 'x1', { kind: 'other' });
      await putItem(db, table, 'o2', { kind: 'outbox' });
      await db.send(
        new UpdateItemCommand({
          TableName: table.ref,
          Key: { pk: { S: 'o1' }, sk: { S: 'item' } },
          UpdateExpression: 'SET published = :yes',
          ExpressionAttributeValues: { ':yes': { S: 'yes' } },
        }),
      );
      await putItem(db, table, 'o3', { kind: 'outbox' });
      await putItem(db, table, 'x2');
      await putItem(db, table, 'o4', { kind: 'outbox' });
      await putItem(db, table, 'o5', { kind: 'outbox' });

      const lambda = new FakeLambda().on('relay-fn').on('latest-fn');
      await start([table, fromStart, fromNow], lambda);
      await putItem(db, table, 'o6', { kind: 'outbox' });
      await putItem(db, table, 'x3', { kind: 'other' });

      await waitFor('six outbox records', () => (streamBatches(lambda, 'relay-fn').flat().length >= 6 ? true : undefined));
      await waitFor('the record written after the start', () => (streamBatches(lambda, 'latest-fn').flat().length >= 1 ? true : undefined));
      await sleep(300);

      const batches = streamBatches(lambda, 'relay-fn');
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(2);
      const records = batches.flat();
      expect(records.map(pkOf)).toEqual(['o1', 'o2', 'o3', 'o4', 'o5', 'o6']);
      const sequenceNumbers = records.map((record) => BigInt(record.dynamodb.SequenceNumber));
      expect([...sequenceNumbers].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(sequenceNumbers);
      expect(streamBatches(lambda, 'latest-fn').flat().map(pkOf)).toEqual(['o6']);

      expect(records[0]).toMatchObject({
        eventName: 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: REGION,
        eventSourceARN: templateStreamArn(env, table),
        dynamodb: {
          Keys: { pk: { S: 'o1' }, sk: { S: 'item' } },
          NewImage: { pk: { S: 'o1' }, sk: { S: 'item' }, kind: { S: 'outbox' } },
          StreamViewType: 'NEW_IMAGE',
        },
      });
      expect(records[0]?.eventID).toBeTruthy();
      expect(records[0]?.dynamodb.ApproximateCreationDateTime).toEqual(expect.any(Number));
      expect(records[0]?.dynamodb.SizeBytes).toEqual(expect.any(Number));
    });

    it('reads tables that were empty when their mappings started, whatever other tables write', async () => {
      // DynamoDB Local numbers stream records across all tables: interleaved writes leave gaps.
      const left = outboxTable(env, 'EmptyLeft');
      const right = outboxTable(env, 'EmptyRight');
      const lambda = new FakeLambda().on('left-fn').on('right-fn');
      await start(
        [left, right, streamMapping(env, 'EmptyLeftMapping', 'left-fn', left), streamMapping(env, 'EmptyRightMapping', 'right-fn', right, { StartingPosition: 'LATEST' })],
        lambda,
      );
      await sleep(3 * POLL_MS); // both pollers have read their empty shards
      for (const pk of ['1', '2', '3']) {
        await putItem(db, left, `left-${pk}`);
        await putItem(db, right, `right-${pk}`);
        await sleep(2 * POLL_MS);
      }

      await waitFor('three records on each side', () =>
        streamBatches(lambda, 'left-fn').flat().length >= 3 && streamBatches(lambda, 'right-fn').flat().length >= 3 ? true : undefined,
      );
      expect(streamBatches(lambda, 'left-fn').flat().map(pkOf)).toEqual(['left-1', 'left-2', 'left-3']);
      expect(streamBatches(lambda, 'right-fn').flat().map(pkOf)).toEqual(['right-1', 'right-2', 'right-3']);
      expect(logs.filter((line) => line.includes('Empty') && /trimmed|expired|failed/.test(line))).toEqual([]);
    });

    it('retries a failing batch, bisects it, and sends what still fails to the on-failure queue', async () => {
      const table = outboxTable(env, 'Failing');
      const onFailure = resource(env, QUEUE, 'FailingDeadLetters', {});
      const mapping = streamMapping(env, 'FailingMapping', 'failing-fn', table, {
        BatchSize: 4,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: arnOf(onFailure) } },
      });
      await createTables(assemblyOf([table]), dynamoEndpoint());
      for (const pk of ['a', 'b', 'poison', 'd']) await putItem(db, table, pk);

      const lambda = new FakeLambda().on('failing-fn', (records) =>
        (records as LambdaStreamRecord[]).some((record) => pkOf(record) === 'poison') ? failure : { ok: true, payload: null },
      );
      await start([table, onFailure, mapping], lambda);

      const message = await waitFor('the on-failure record', () => receiveOne(client, onFailure), 15_000);
      await waitFor('the record after the poison one', () =>
        streamBatches(lambda, 'failing-fn').length >= 5 ? true : undefined,
      );
      expect(streamBatches(lambda, 'failing-fn').map((batch) => batch.map(pkOf))).toEqual([
        ['a', 'b', 'poison', 'd'],
        ['a', 'b'],
        ['poison', 'd'],
        ['poison'],
        ['d'],
      ]);

      const poison = streamBatches(lambda, 'failing-fn')[3]?.[0];
      const body = JSON.parse(message.Body ?? '{}') as Record<string, unknown>;
      expect(body).toMatchObject({
        requestContext: {
          functionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:failing-fn`,
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 3,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        DDBStreamBatchInfo: {
          startSequenceNumber: poison?.dynamodb.SequenceNumber,
          endSequenceNumber: poison?.dynamodb.SequenceNumber,
          batchSize: 1,
          streamArn: templateStreamArn(env, table),
        },
      });
      expect(body.timestamp).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
      const batchInfo = body.DDBStreamBatchInfo as Record<string, unknown>;
      expect(batchInfo.shardId).toEqual(expect.stringMatching(/^shardId-/));
      expect(batchInfo.approximateArrivalOfFirstRecord).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/));
      expect((body.requestContext as Record<string, unknown>).requestId).toEqual(expect.any(String));
    });

    it('with ReportBatchItemFailures retries from the lowest reported sequence number', async () => {
      const table = outboxTable(env, 'PartialStream');
      const mapping = streamMapping(env, 'PartialStreamMapping', 'checkpoint-fn', table, {
        BatchSize: 3,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 1,
      });
      await createTables(assemblyOf([table]), dynamoEndpoint());
      for (const pk of ['a', 'b', 'c']) await putItem(db, table, pk);

      let reported = false;
      const lambda = new FakeLambda().on('checkpoint-fn', (records) => {
        const b = (records as LambdaStreamRecord[]).find((record) => pkOf(record) === 'b');
        if (!b || reported) return { ok: true, payload: {} };
        reported = true;
        return { ok: true, payload: { batchItemFailures: [{ itemIdentifier: b.dynamodb.SequenceNumber }] } };
      });
      await start([table, mapping], lambda);

      await waitFor('the retry', () => (streamBatches(lambda, 'checkpoint-fn').length >= 2 ? true : undefined));
      await sleep(300);
      expect(streamBatches(lambda, 'checkpoint-fn').map((batch) => batch.map(pkOf))).toEqual([
        ['a', 'b', 'c'],
        ['b', 'c'],
      ]);
    });
  });

  describe('polling the streams when their tables were written', () => {
    /** A function whose role may write `table` (PutItem), as a stack's policy grants it. */
    function writer(name: string, table: LocalResource): LocalResource[] {
      const roleArn = `arn:aws:iam::${ACCOUNT}:role/${name}Role`;
      const fn = { stackName: STACK, logicalId: name, type: 'AWS::Lambda::Function', ref: name, properties: { Role: roleArn }, metadata: {} };
      const role = { stackName: STACK, logicalId: `${name}Role`, type: 'AWS::IAM::Role', ref: `${name}Role`, arn: roleArn, properties: {}, metadata: {} };
      const statement = { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: arnOf(table) };
      const policy = { stackName: STACK, logicalId: `${name}Policy`, type: 'AWS::IAM::Policy', ref: `${name}Policy`, properties: { Roles: [role.ref], PolicyDocument: { Statement: [statement] } }, metadata: {} };
      return [fn, role, policy];
    }

    it('reads at once the streams of the tables a function that ended may write, the others at their next poll; pollStreams reads all', async () => {
      const written = outboxTable(env, 'WrittenByFunction');
      const other = outboxTable(env, 'NotWrittenByIt');
      const lambda = new FakeLambda().on('written-fn').on('other-fn');
      const assembly = assemblyOf([
        written, other, ...writer('Writer', written),
        streamMapping(env, 'WrittenMapping', 'written-fn', written), streamMapping(env, 'OtherMapping', 'other-fn', other),
      ]);
      await createTables(assembly, dynamoEndpoint());
      // Polls 4 s apart: any delivery within 2 s of the start came from invocationEnded.
      const mappings = await startEventSourceMappings(assembly, {
        lambda, sqsEndpoint: sqs.endpoint, dynamoEndpoint: dynamoEndpoint(), sendToQueue: async () => undefined, log, pollIntervalMs: 4_000,
      });
      services.push(mappings);
      const started = Date.now();
      // Each poller's first poll runs as the mappings start: once they have all polled again, the
      // next periodic read of the other table is a whole interval away.
      await mappings.pollStreams();
      await putItem(db, written, 'w1');
      await putItem(db, other, 'o1');

      await mappings.invocationEnded('Writer');
      expect(streamBatches(lambda, 'written-fn').flat().map(pkOf)).toEqual(['w1']);
      // The other table waits for its next poll, 4 s after the last: under load that poll may have
      // come by now, but never as early as a read the end made.
      const otherReads = lambda.invocations.filter((call) => call.functionName === 'other-fn').map((call) => call.at - started);
      expect(otherReads.filter((after) => after < 3_500)).toEqual([]);
      // No sooner than half a poll interval after the last poll: the ends of many invocations make one read.
      expect(lambda.invocations[0]!.at - started).toBeGreaterThanOrEqual(1_900);

      await mappings.pollStreams();
      expect(streamBatches(lambda, 'other-fn').flat().map(pkOf)).toEqual(['o1']);
      await mappings.stop();
    });
  });

  describe('stop()', () => {
    it('stops the pollers promptly and delivers nothing afterwards', async () => {
      const queue = resource(env, QUEUE, 'Stopped', {});
      const table = outboxTable(env, 'StoppedTable');
      const lambda = new FakeLambda().on('stopped-fn');
      const mappings = await start(
        [queue, table, sqsMapping(env, 'StoppedQueueMapping', 'stopped-fn', queue), streamMapping(env, 'StoppedStreamMapping', 'stopped-fn', table)],
        lambda,
      );
      await sleep(200); // both pollers are mid long poll / mid pause

      const started = Date.now();
      await mappings.stop();
      // At most the SQS poller's one-second long poll, which it lets finish rather than abandon.
      expect(Date.now() - started).toBeLessThan(1_500);
      await mappings.stop(); // idempotent

      await client.send(new SendMessageCommand({ QueueUrl: queue.ref, MessageBody: 'after stop' }));
      await putItem(db, table, 'after-stop');
      await sleep(1_200);
      expect(lambda.invocations).toHaveLength(0);
      expect(await queueCounts(client, queue)).toEqual({ visible: 1, inFlight: 0 });
    });

    it('stops SQS: the port is closed and stopping twice is harmless', async () => {
      const other = await startSqs({ log });
      const queue = resource({ ...env, accountId: '000000000000', sqsBaseUrl: other.baseUrl }, QUEUE, 'Closing', {});
      await other.createQueues(assemblyOf([queue]));
      expect((await fetch(`${other.endpoint}/health`)).ok).toBe(true);
      await other.stop();
      await other.stop();
      await expect(fetch(`${other.endpoint}/health`)).rejects.toThrow();
    });
  });
});
