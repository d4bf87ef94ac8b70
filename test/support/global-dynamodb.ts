/**
 * Vitest globalSetup: one DynamoDB Local per test run, shared by every test file through
 * `inject('dynamoEndpoint')`. Tests isolate themselves with uniquely named tables
 * (see createTestTable) instead of paying a JVM start per file.
 *
 * Every DynamoDB Local of the run is a short-lived one (JvmProfile in local-dynamodb.ts: C1
 * only, the serial collector): this one, and, through DYNAMODB_LOCAL_JVM, which the test forks
 * inherit, those the test files start and those of the runtimes they spawn (`npm start`).
 */
import type { TestProject } from 'vitest/node';
import { ensureDynamoDbLocalJar, JVM_PROFILE_ENV, startDynamoDbLocal } from '../../local/dynamodb/local-dynamodb';

declare module 'vitest' {
  export interface ProvidedContext {
    /** e.g. http://127.0.0.1:41234 */
    dynamoEndpoint: string;
  }
}

export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  process.env[JVM_PROFILE_ENV] = 'short-lived';
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
