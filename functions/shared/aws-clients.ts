import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { tracer } from './observability';

/**
 * SDK clients, each created on first use and then reused by every invocation of the
 * execution environment. Endpoints and region come from the environment
 * (AWS_REGION, AWS_ENDPOINT_URL_*), so the same code runs on AWS, LocalStack and offline.
 */
function once<T>(create: () => T): () => T {
  let instance: T | undefined;
  return () => (instance ??= create());
}

export const documentClient = once(() =>
  DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  }),
);

export const secretsClient = once(() => tracer.captureAWSv3Client(new SecretsManagerClient({})));

export const eventBridgeClient = once(() => tracer.captureAWSv3Client(new EventBridgeClient({})));
