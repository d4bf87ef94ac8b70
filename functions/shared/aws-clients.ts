import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { tracer } from './observability';

/**
 * The one factory of SDK clients: `sdkClient(SFNClient)` gives a getter that creates the client
 * on first use, traced, and then hands the same one to every invocation of the execution
 * environment. Endpoints and region come from the environment (AWS_REGION,
 * AWS_ENDPOINT_URL_*), so the same code runs on AWS, LocalStack and offline. The client class is
 * passed in, not imported here, so a function's bundle loads only the SDK packages it uses.
 */
export function sdkClient<C, A extends unknown[]>(Client: new (...config: A) => C, ...config: A): () => C {
  let instance: C | undefined;
  return () => (instance ??= tracer.captureAWSv3Client(new Client(...config)));
}

const dynamoDbClient = sdkClient(DynamoDBClient, {});
let documents: DynamoDBDocumentClient | undefined;

/** The document client every store shares, over the traced DynamoDB client. */
export const documentClient = (): DynamoDBDocumentClient =>
  (documents ??= DynamoDBDocumentClient.from(dynamoDbClient(), { marshallOptions: { removeUndefinedValues: true } }));

export const secretsClient = sdkClient(SecretsManagerClient, {});

export const eventBridgeClient = sdkClient(EventBridgeClient, {});
