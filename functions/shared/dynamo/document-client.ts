import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sdkClient } from '../aws-clients';

/**
 * The document client every store shares. A module of its own, so that a function that never
 * touches a table (the outbox relay) does not bundle or load the DynamoDB client.
 */
const dynamoDbClient = /* @__PURE__ */ sdkClient(DynamoDBClient, {});
let documents: DynamoDBDocumentClient | undefined;

export const documentClient = (): DynamoDBDocumentClient =>
  (documents ??= DynamoDBDocumentClient.from(dynamoDbClient(), { marshallOptions: { removeUndefinedValues: true } }));
