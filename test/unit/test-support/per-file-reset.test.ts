import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startVitest } from 'vitest/node';

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURES = 'test/unit/test-support/shared-worker/*.fixture.ts';

/** Runs both fixture files in one worker process, as the unit project runs its files, and counts what passed. */
async function runInOneWorker(setupFiles: string[]) {
  const vitest = await startVitest([], {
    config: false, root: ROOT, include: [FIXTURES], isolate: false, maxWorkers: 1, pool: 'forks', setupFiles,
    watch: false, reporters: [], fsModuleCache: false,
  });
  const modules = vitest.state.getTestModules();
  await vitest.close();
  return {
    files: modules.length,
    passed: modules.filter((module) => module.state() === 'passed').length,
  };
}

describe("test files sharing a worker (the unit project's isolate: false)", () => {
  it('each start from fresh modules, environment and clock with test/support/per-file-reset.ts', async () => {
    expect(await runInOneWorker(['test/support/per-file-reset.ts'])).toMatchObject({ files: 2, passed: 2 });
  }, 60_000);

  it('see what the file before them left without it (so the check above can fail)', async () => {
    expect(await runInOneWorker([])).toMatchObject({ files: 2, passed: 1 });
  }, 60_000);
});
