/**
 * The cost bench's counting proxy against DynamoDB Local: the units it sums for known requests
 * (AWS's rules, also where DynamoDB Local's own figures are wrong), and a caller that cannot
 * tell it is there (the SDK checks the answer's CRC32).
 */
import { DescribeTableCommand, GetItemCommand, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStreamsClient } from '../../local/dynamodb/streams-client';
import { startCountingProxy, type CountingProxy } from '../../scripts/bench/cost-dynamo-proxy';
import { createLocalDynamoClient, createTestTable, dynamoEndpoint } from '../support/dynamodb';

describe('the cost bench counting proxy', () => {
  let proxy: CountingProxy;
  let table: string;
  const client = () => createLocalDynamoClient(proxy.endpoint);
  const summed = () => proxy.counted().map(({ operation, readUnits, writeUnits, fromFunction, conditionFailed }) => ({ operation, readUnits, writeUnits, fromFunction, conditionFailed }));

  beforeAll(async () => {
    proxy = await startCountingProxy(dynamoEndpoint());
    table = await createTestTable(createLocalDynamoClient(), { prefix: 'bench-proxy' });
  });
  afterAll(() => proxy?.stop());

  it('sums single-item writes and reads, index writes included, and hides the figures from a caller that did not ask', async () => {
    proxy.reset();
    const big = 'x'.repeat(2500);
    // 3 KB started: 3 WRU; the gsi1 keys make it an index write too (3 more).
    const put = await client().send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'A' }, sk: { S: 'A' }, gsi1pk: { S: 'G' }, gsi1sk: { S: 'A' }, v: { S: big } } }));
    expect(put.ConsumedCapacity).toBeUndefined();
    const eventual = await client().send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'A' }, sk: { S: 'A' } } }));
    expect(eventual.Item?.v?.S).toBe(big);
    await client().send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'A' }, sk: { S: 'A' } }, ConsistentRead: true }));
    // A caller that asks gets its figure.
    const asked = await client().send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'B' }, sk: { S: 'B' } }, ReturnConsumedCapacity: 'TOTAL' }));
    expect(asked.ConsumedCapacity?.CapacityUnits).toBe(1);
    expect(summed()).toEqual([
      { operation: 'PutItem', readUnits: 0, writeUnits: 6, fromFunction: false, conditionFailed: false },
      { operation: 'GetItem', readUnits: 0.5, writeUnits: 0, fromFunction: false, conditionFailed: false },
      { operation: 'GetItem', readUnits: 1, writeUnits: 0, fromFunction: false, conditionFailed: false },
      { operation: 'PutItem', readUnits: 0, writeUnits: 1, fromFunction: false, conditionFailed: false },
    ]);
  });

  it('bills a transaction 2 WRU per KB of each item, condition checks included, and a failed condition 1 WRU', async () => {
    proxy.reset();
    await client().send(new TransactWriteItemsCommand({
      TransactItems: [
        { Put: { TableName: table, Item: { pk: { S: 'T1' }, sk: { S: 'T' } } } },
        { Put: { TableName: table, Item: { pk: { S: 'T2' }, sk: { S: 'T' }, v: { S: 'x'.repeat(1500) } } } },
        { ConditionCheck: { TableName: table, Key: { pk: { S: 'none' }, sk: { S: 'T' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
      ],
    }));
    const failed = client().send(new UpdateItemCommand({
      TableName: table, Key: { pk: { S: 'none' }, sk: { S: 'T' } }, UpdateExpression: 'SET n = :n', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':n': { N: '1' } },
    }));
    await expect(failed).rejects.toThrow(/conditional request failed/);
    expect(summed()).toEqual([
      // DynamoDB Local itself says 2 for the two Puts and nothing for the check: AWS bills 2 + 4 + 2.
      { operation: 'TransactWriteItems', readUnits: 0, writeUnits: 8, fromFunction: false, conditionFailed: false },
      { operation: 'UpdateItem', readUnits: 0, writeUnits: 1, fromFunction: false, conditionFailed: true },
    ]);
    expect(proxy.counted()[0]!.items).toEqual(['Put T1/T 7 B', 'Put T2/T 1508 B', 'ConditionCheck none/T 0 B']);
  });

  it('tells a function from the runtime by the user agent, and neither counts stream reads nor control-plane calls', async () => {
    proxy.reset();
    const answer = await fetch(proxy.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem', 'user-agent': 'aws-sdk-js/3 exec-env/AWS_Lambda_nodejs24.x', authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' },
      body: JSON.stringify({ TableName: table, Key: { pk: { S: 'B' }, sk: { S: 'B' } }, ConsistentRead: true }),
    });
    expect(answer.status).toBe(200);
    const { Table } = await client().send(new DescribeTableCommand({ TableName: table }));
    // What the offline stream pollers do (Lambda's, free on AWS).
    expect((await createStreamsClient(proxy.endpoint).listShards(Table!.LatestStreamArn!)).length).toBeGreaterThan(0);
    expect(summed()).toEqual([{ operation: 'GetItem', readUnits: 1, writeUnits: 0, fromFunction: true, conditionFailed: false }]);
  });
});
