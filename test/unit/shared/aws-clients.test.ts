import { Readable } from 'node:stream';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { HttpResponse, type HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { sdkClient } from '../../../functions/shared/aws-clients';

describe('sdkClient', () => {
  it('creates the client on first use, with its configuration, and hands the same one out after', async () => {
    const stepFunctions = sdkClient(SFNClient, { maxAttempts: 3 });
    const first = stepFunctions();
    expect(first).toBeInstanceOf(SFNClient);
    expect(stepFunctions()).toBe(first);
    expect(await first.config.maxAttempts()).toBe(3);
  });

  it('gives each getter a client of its own', () => {
    const a = sdkClient(LambdaClient, {});
    const b = sdkClient(LambdaClient, { maxAttempts: 1 });
    expect(a()).not.toBe(b());
  });
});

describe('sdkClient signing', () => {
  /** A request handler answering every request with an empty JSON document, recording its headers. */
  const answering = (seen: Record<string, string>[]) => ({
    handle: async (request: HttpRequest) => {
      seen.push({ ...request.headers });
      return { response: new HttpResponse({ statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from('{}')]) }) };
    },
  });

  it('builds one SigV4 signer per signing scope, not one per request, and signs every request', async () => {
    let built = 0;
    class CountedSigner extends SignatureV4 {
      constructor(...args: ConstructorParameters<typeof SignatureV4>) {
        super(...args);
        built += 1;
      }
    }
    const seen: Record<string, string>[] = [];
    const dynamo = sdkClient(DynamoDBClient, {
      region: 'eu-west-1', endpoint: 'http://localhost:8000', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      signerConstructor: CountedSigner, requestHandler: answering(seen),
    });
    for (let i = 0; i < 3; i += 1) await dynamo().send(new GetItemCommand({ TableName: 't', Key: { pk: { S: `k${i}` } } }));
    expect(built).toBe(1);
    expect(seen).toHaveLength(3);
    for (const headers of seen) expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-west-1\/dynamodb\/aws4_request, /);
  });

  it('builds the signer again after a failed build', async () => {
    let builds = 0;
    class FailingOnce extends SignatureV4 {
      constructor(...args: ConstructorParameters<typeof SignatureV4>) {
        builds += 1;
        if (builds === 1) throw new Error('no signer yet');
        super(...args);
      }
    }
    const seen: Record<string, string>[] = [];
    const dynamo = sdkClient(DynamoDBClient, {
      region: 'eu-west-1', endpoint: 'http://localhost:8000', credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      signerConstructor: FailingOnce, requestHandler: answering(seen), maxAttempts: 1,
    });
    const get = () => dynamo().send(new GetItemCommand({ TableName: 't', Key: { pk: { S: 'k' } } }));
    await expect(get()).rejects.toThrow('no signer yet');
    await get();
    await get();
    expect(builds).toBe(2);
    expect(seen).toHaveLength(2);
  });
});
