import { describe, expect, it } from 'vitest';
import { assemblyKey, runtimeContext } from '../e2e/support/global-runtime';

describe("the e2e suite's offline runtime (test/e2e/support/global-runtime.ts)", () => {
  it('is synthesized with cheap password hashes, and any context CDK_CONTEXT_JSON adds or overrides', () => {
    expect(JSON.parse(runtimeContext(undefined))).toEqual({ passwordHashCost: 10 });
    expect(JSON.parse(runtimeContext('{"sagaWorkflow":"EXPRESS"}'))).toEqual({ passwordHashCost: 10, sagaWorkflow: 'EXPRESS' });
    expect(JSON.parse(runtimeContext('{"passwordHashCost":15}'))).toEqual({ passwordHashCost: 15 });
  });

  it('keeps one cached assembly per app version and context: another context never starts from it', () => {
    const app = 'f'.repeat(64);
    const plain = assemblyKey(app, runtimeContext(undefined));
    expect(plain.startsWith(`${app}-`)).toBe(true);
    expect(assemblyKey(app, runtimeContext(undefined))).toBe(plain);
    expect(assemblyKey(app, runtimeContext('{"sagaWorkflow":"EXPRESS"}'))).not.toBe(plain);
    expect(assemblyKey('e'.repeat(64), runtimeContext(undefined))).not.toBe(plain);
  });
});
