import { describe, expect, it } from 'vitest';
import { runtimeContext, runtimeEnvironment } from '../e2e/support/global-runtime';

describe("the e2e suite's offline runtime (test/e2e/support/global-runtime.ts)", () => {
  it('is synthesized with cheap password hashes, and any context CDK_CONTEXT_JSON adds or overrides', () => {
    expect(JSON.parse(runtimeContext(undefined))).toEqual({ passwordHashCost: 10 });
    expect(JSON.parse(runtimeContext('{"sagaWorkflow":"EXPRESS"}'))).toEqual({ passwordHashCost: 10, sagaWorkflow: 'EXPRESS' });
    expect(JSON.parse(runtimeContext('{"passwordHashCost":15}'))).toEqual({ passwordHashCost: 15 });
  });

  it("runs DynamoDB Local's JVM tuned for a short run, whatever the test run's environment says", () => {
    const env = runtimeEnvironment('{}', { PATH: '/bin', DYNAMODB_LOCAL_JVM: 'sustained' });
    expect(env).toMatchObject({ PATH: '/bin', CDK_CONTEXT_JSON: '{}', DYNAMODB_LOCAL_JVM: 'short-lived' });
  });

});
