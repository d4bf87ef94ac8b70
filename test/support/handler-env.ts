import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll } from 'vitest';
import type { Role } from '../../functions/contracts/api/users';
import { signAccessToken } from '../../functions/shared/auth/jwt';
import { ENV } from '../../functions/shared/environment';
import { deriveSigningKeys } from '../../functions/shared/signing-keys';
import { MIN_PASSWORD_HASH_COST, USERS_ENV } from '../../functions/users/users-config';
import { createLocalDynamoClient, createTestTable, useDynamoEnv } from './dynamodb';

export const TEST_SIGNING_SECRET = 'test-signing-secret-0123456789abcdef0123456789abcdef';
export const testKeys = deriveSigningKeys(TEST_SIGNING_SECRET);
/**
 * The users functions hash new passwords at the cheapest cost a stack may set: at production
 * strength each registration and login of a test costs tens of ms of CPU (users-config.ts).
 */
export const TEST_PASSWORD_HASH_COST = MIN_PASSWORD_HASH_COST;

// The mock replaces Secrets Manager's send for the whole process: the file's end restores it for
// the files after it in the same worker (test/local's runtime serves real secrets).
const stubs: { restore(): void }[] = [];
afterAll(() => {
  for (const stub of stubs.splice(0)) stub.restore();
});

/**
 * The environment a context's handlers run in, for handler tests: a fresh table in DynamoDB
 * Local (real conditions and transactions), the signing secret answered by a mocked Secrets
 * Manager. Call before importing the handlers: they read their configuration at load.
 */
export async function useHandlerEnvironment(prefix: string) {
  useDynamoEnv();
  const client = createLocalDynamoClient();
  const tableName = await createTestTable(client, { prefix });
  process.env[ENV.tableName] = tableName;
  process.env[ENV.signingSecretArn] = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:signing-AbCdEf';
  process.env[USERS_ENV.passwordHashCost] = String(TEST_PASSWORD_HASH_COST);
  const secrets = mockClient(SecretsManagerClient);
  stubs.push(secrets);
  secrets.on(GetSecretValueCommand).resolves({ SecretString: TEST_SIGNING_SECRET });
  return { tableName, db: DynamoDBDocumentClient.from(client), secrets };
}

export function bearer(userId: string, role: Role = 'customer'): Record<string, string> {
  return { Authorization: `Bearer ${signAccessToken({ userId, role }, testKeys.accessToken).token}` };
}
