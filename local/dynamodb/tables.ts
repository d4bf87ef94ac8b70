/**
 * Creates the app's DynamoDB tables in DynamoDB Local as their templates declare them, and maps
 * a table to the stream DynamoDB Local really created for it.
 *
 * Created as declared: key schema, attribute definitions, global and local secondary indexes,
 * billing mode (with provisioned throughput where given), stream and time to live. Not applied:
 * tags, encryption, point-in-time recovery, deletion protection, table class, contributor
 * insights, resource policies, imports: none of them changes what the app reads or writes.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type { LocalAssembly, LocalResource } from '../types';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-dynamodb';

const TABLE_TYPE = 'AWS::DynamoDB::Table';

const capacity = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(1));
const keySchema = z.array(z.object({ AttributeName: z.string(), KeyType: z.enum(['HASH', 'RANGE']) })).min(1).max(2);
const projection = z.object({
  ProjectionType: z.enum(['ALL', 'KEYS_ONLY', 'INCLUDE']).optional(),
  NonKeyAttributes: z.array(z.string()).optional(),
});
const provisionedThroughput = z.object({ ReadCapacityUnits: capacity, WriteCapacityUnits: capacity });
const secondaryIndex = z.object({
  IndexName: z.string(),
  KeySchema: keySchema,
  Projection: projection,
  ProvisionedThroughput: provisionedThroughput.optional(),
});

const tableProperties = z.object({
  KeySchema: keySchema,
  AttributeDefinitions: z.array(z.object({ AttributeName: z.string(), AttributeType: z.enum(['S', 'N', 'B']) })),
  BillingMode: z.enum(['PAY_PER_REQUEST', 'PROVISIONED']).optional(),
  ProvisionedThroughput: provisionedThroughput.optional(),
  GlobalSecondaryIndexes: z.array(secondaryIndex).optional(),
  LocalSecondaryIndexes: z.array(secondaryIndex.omit({ ProvisionedThroughput: true })).optional(),
  StreamSpecification: z
    .object({ StreamViewType: z.enum(['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY']) })
    .optional(),
  TimeToLiveSpecification: z
    .object({ AttributeName: z.string().optional(), Enabled: z.union([z.boolean(), z.enum(['true', 'false'])]) })
    .optional(),
});

type TableProperties = z.infer<typeof tableProperties>;

/** Every item of each table by table name, as DynamoDB's wire format has them: what a start's demo data is made of. */
export type TableContents = Record<string, Record<string, AttributeValue>[]>;

/** BatchWriteItem's limit. */
const BATCH_SIZE = 25;

/**
 * Creates every `AWS::DynamoDB::Table` of the app. A table that already exists (a second start
 * against the same DynamoDB Local) is left as it is; its time to live is still applied.
 * `contents` (from {@link dumpTables}) are written into the new tables before their streams are
 * enabled: restored items are state, not news, so no stream poller relays them again.
 */
export async function createTables(assembly: LocalAssembly, endpoint: string, contents: TableContents = {}): Promise<void> {
  const client = localClient(endpoint);
  try {
    // All at once: one after another, the app's tables took most of a second of every start.
    await Promise.all(assembly.ofType(TABLE_TYPE).map(async (resource) => {
      const props = tablePropertiesOf(resource);
      const items = contents[resource.ref] ?? [];
      const stream = items.length > 0 ? props.StreamSpecification : undefined;
      try {
        await client.send(new CreateTableCommand(createTableInput(resource.ref, stream ? { ...props, StreamSpecification: undefined } : props)));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await writeItems(client, resource.ref, items);
      if (stream) {
        await client.send(new UpdateTableCommand({ TableName: resource.ref, StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType } }));
      }
      const ttl = props.TimeToLiveSpecification;
      if (ttl && isTrue(ttl.Enabled) && ttl.AttributeName) {
        await enableTimeToLive(client, resource.ref, ttl.AttributeName);
      }
    }));
  } finally {
    client.destroy();
  }
}

/** Every item of every table of the app, read with consistent scans, page after page. */
export async function dumpTables(assembly: LocalAssembly, endpoint: string): Promise<TableContents> {
  const client = localClient(endpoint);
  try {
    const tables = await Promise.all(assembly.ofType(TABLE_TYPE).map(async ({ ref }) => {
      const items: Record<string, AttributeValue>[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: ref, ConsistentRead: true, ExclusiveStartKey: start }));
        items.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
      } while (start);
      return [ref, items] as const;
    }));
    return Object.fromEntries(tables.filter(([, items]) => items.length > 0));
  } finally {
    client.destroy();
  }
}

/** Puts the items, 25 to a request, the requests side by side; what DynamoDB leaves unprocessed is sent again. */
async function writeItems(client: DynamoDBClient, tableName: string, items: readonly Record<string, AttributeValue>[]): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += BATCH_SIZE) batches.push(items.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } })));
  await Promise.all(batches.map(async (batch) => {
    for (let pending = batch; pending.length > 0; ) {
      const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
      pending = UnprocessedItems?.[tableName] ?? [];
    }
  }));
}

/**
 * The ARN of the stream DynamoDB Local created for a table (`arn:aws:dynamodb:ddblocal:...`),
 * from the table's name (its `Ref`), its ARN, or the stream ARN the template resolver made up
 * for it (`<table ARN>/stream/1970-01-01T00:00:00.000`): the real one carries its creation time.
 */
export async function streamArnOf(tableNameOrArn: string, endpoint: string): Promise<string> {
  const tableName = tableNameOf(tableNameOrArn);
  const client = localClient(endpoint);
  try {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (!table?.LatestStreamArn || table.StreamSpecification?.StreamEnabled === false) {
      throw new Error(`table ${tableName} has no stream (its template sets no StreamSpecification)`);
    }
    return table.LatestStreamArn;
  } finally {
    client.destroy();
  }
}

/** `name`, `arn:...:table/<name>` or `arn:...:table/<name>/stream/<label>` → `<name>`. */
export function tableNameOf(tableNameOrArn: string): string {
  if (!tableNameOrArn.startsWith('arn:')) return tableNameOrArn;
  const match = /:table\/([^/]+)/.exec(tableNameOrArn);
  if (!match?.[1]) throw new Error(`not a DynamoDB table or stream ARN: ${tableNameOrArn}`);
  return match[1];
}

function tablePropertiesOf(resource: LocalResource): TableProperties {
  const parsed = tableProperties.safeParse(resource.properties);
  if (!parsed.success) {
    throw new Error(`table ${resource.stackName}/${resource.logicalId} has invalid properties:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

function createTableInput(tableName: string, props: TableProperties): CreateTableCommandInput {
  const provisioned = props.BillingMode === 'PROVISIONED';
  if (provisioned && !props.ProvisionedThroughput) {
    throw new Error(`table ${tableName}: BillingMode PROVISIONED needs ProvisionedThroughput`);
  }
  return {
    TableName: tableName,
    KeySchema: props.KeySchema,
    AttributeDefinitions: props.AttributeDefinitions,
    BillingMode: provisioned ? 'PROVISIONED' : 'PAY_PER_REQUEST',
    ...(provisioned ? { ProvisionedThroughput: props.ProvisionedThroughput } : {}),
    ...(props.GlobalSecondaryIndexes?.length
      ? {
          GlobalSecondaryIndexes: props.GlobalSecondaryIndexes.map((index) => ({
            IndexName: index.IndexName,
            KeySchema: index.KeySchema,
            Projection: index.Projection,
            // Provisioned tables need a throughput per index; CloudFormation insists on it as well.
            ...(provisioned ? { ProvisionedThroughput: index.ProvisionedThroughput ?? props.ProvisionedThroughput } : {}),
          })),
        }
      : {}),
    ...(props.LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes: props.LocalSecondaryIndexes } : {}),
    ...(props.StreamSpecification
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: props.StreamSpecification.StreamViewType } }
      : {}),
  };
}

async function enableTimeToLive(client: DynamoDBClient, tableName: string, attributeName: string): Promise<void> {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true },
      }),
    );
  } catch (error) {
    // Enabling it twice (a table that already existed) is a ValidationException; anything else is not expected.
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
  }
}

function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

function isTrue(value: boolean | 'true' | 'false'): boolean {
  return value === true || value === 'true';
}
