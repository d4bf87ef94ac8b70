/**
 * Helpers for handler tests that run against DynamoDB Local (started once per run by
 * test/support/global-dynamodb.ts) through the real AWS SDK.
 *
 * Typical use:
 *   const restoreEnv = useDynamoEnv();            // before the handler module is imported
 *   const tableName = await createTestTable(createLocalDynamoClient());
 *   process.env.TABLE_NAME = tableName;
 *   const { handler } = await import('../../functions/...');
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb/local-dynamodb';

/** Endpoint of the DynamoDB Local started by the globalSetup. */
export function dynamoEndpoint(): string {
  const endpoint = inject('dynamoEndpoint');
  if (!endpoint) {
    throw new Error('No DynamoDB Local endpoint: is test/support/global-dynamodb.ts in vitest globalSetup?');
  }
  return endpoint;
}

/** A client wired to DynamoDB Local explicitly, independent of process.env. */
export function createLocalDynamoClient(endpoint: string = dynamoEndpoint()): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
}

const DYNAMO_ENV_KEYS = [
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;

/**
 * Points every SDK client created *afterwards* at DynamoDB Local. The app builds its clients at
 * module load, so call this before importing (or `vi.resetModules()` + re-importing) a handler.
 * Returns a function that restores the previous values.
 */
export function useDynamoEnv(endpoint: string = dynamoEndpoint()): () => void {
  const previous = new Map(DYNAMO_ENV_KEYS.map((key) => [key, process.env[key]]));
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint; // honoured by AWS SDK v3 for the DynamoDB client
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  return () => {
    for (const [key, value] of previous) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

export interface TestTableOptions {
  /** Readable part of the table name; a random suffix keeps parallel test files apart. */
  prefix?: string;
}

/**
 * Creates a table with the project's generic single-table schema (pk/sk, gsi1, gsi2) and
 * returns its unique name. Tables live in memory, so nothing needs cleaning up after the run.
 */
export async function createTestTable(client: DynamoDBClient, opts: TestTableOptions = {}): Promise<string> {
  const tableName = `${opts.prefix ?? 'test'}-${randomUUID()}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [secondaryIndex('gsi1'), secondaryIndex('gsi2')],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  );
  // DynamoDB Local reports ACTIVE at once, so this returns on the first check; it only guards
  // against running with -delayTransientStatuses or against a real endpoint.
  await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  return tableName;
}

function secondaryIndex(name: 'gsi1' | 'gsi2'): GlobalSecondaryIndex {
  return {
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}pk`, KeyType: 'HASH' },
      { AttributeName: `${name}sk`, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  };
}
