/**
 * Vitest globalSetup: one DynamoDB Local per test run, shared by every test file through
 * `inject('dynamoEndpoint')`. Tests isolate themselves with uniquely named tables
 * (see createTestTable) instead of paying a JVM start per file.
 */
import type { TestProject } from 'vitest/node';
import { ensureDynamoDbLocalJar, startDynamoDbLocal } from '../../local/dynamodb/local-dynamodb';

declare module 'vitest' {
  export interface ProvidedContext {
    /** e.g. http://127.0.0.1:41234 */
    dynamoEndpoint: string;
  }
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  // Lets a developer point the suite at an instance that is already running (offline runtime,
  // docker) and skip the JVM start.
  const existing = process.env.DYNAMODB_LOCAL_ENDPOINT;
  if (existing) {
    provide('dynamoEndpoint', existing);
    return async () => {};
  }

  // Fetch separately so only the one-off download is reported, not Java's startup banner.
  await ensureDynamoDbLocalJar({ log: (line) => console.log(line) });
  const dynamo = await startDynamoDbLocal();
  provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
