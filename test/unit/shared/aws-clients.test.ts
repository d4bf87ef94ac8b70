import { LambdaClient } from '@aws-sdk/client-lambda';
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
