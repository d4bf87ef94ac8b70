import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import config from '../../../vitest.config.mjs';
import { LONG_FILES, LongFilesFirst } from '../../support/sequencer';

const ROOT = path.resolve(__dirname, '../../..');
const project = (name: string) => ({ name, config: { root: ROOT, isolate: true, sequence: { groupOrder: 0 } } });
const spec = (of: ReturnType<typeof project>, file: string) => ({ project: of, moduleId: path.join(ROOT, file) }) as unknown as TestSpecification;
/** A first run: vitest has no timings, so it falls back to the files' sizes. */
const firstRun = { cache: { getTestSpecificationResult: () => undefined }, config: {} } as unknown as Vitest;

describe('the order test files start in', () => {
  it('starts the files known to run long first, longest first, then the rest in vitest\'s order', async () => {
    const [e2e, integration, unit] = [project('e2e'), project('integration'), project('unit')];
    const files = [
      spec(unit, 'test/unit/shared/paging.test.ts'),
      spec(integration, 'test/local/dynamodb-local.test.ts'),
      spec(e2e, 'test/e2e/edge.e2e.test.ts'),
      spec(integration, 'test/local/event-bus.test.ts'),
      spec(e2e, 'test/e2e/ops.e2e.test.ts'),
      spec(integration, 'test/local/runtime-lifecycle.test.ts'),
    ];
    const sorted = await new LongFilesFirst(firstRun).sort(files);
    expect(sorted.map((file) => path.relative(ROOT, file.moduleId))).toEqual([
      'test/local/runtime-lifecycle.test.ts', 'test/local/dynamodb-local.test.ts', 'test/e2e/ops.e2e.test.ts',
      'test/e2e/edge.e2e.test.ts', 'test/local/event-bus.test.ts', 'test/unit/shared/paging.test.ts',
    ]);
  });

  it('is the test run\'s sequencer, and names files that exist', () => {
    expect(config.test?.sequence?.sequencer).toBe(LongFilesFirst);
    expect(LONG_FILES.filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([]);
  });
});
