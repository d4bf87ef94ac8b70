/**
 * The order test files start in: the files known to run long on their own clock start first, the
 * rest after them in vitest's order (per project: the previous run's failures and longest first,
 * else larger files first; e2e, infra, integration, unit). On a fresh clone vitest has no
 * timings, and its fallback started runtime-lifecycle (121 s of real `npm start`s) 117 s into a
 * 292 s run, dynamodb-local at 129 s: the run's tail. Started first, they wait beside the others.
 */
import * as path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest first. Each waits on processes it starts or on a runtime's sagas, so its wall time is
 * long whatever the machine: a list kept by hand, not a timings file that goes stale or missing.
 */
export const LONG_FILES: readonly string[] = [
  'test/local/runtime-lifecycle.test.ts', // whole `npm start`s, one after another
  'test/e2e/orders.e2e.test.ts', // orders through the saga, cancellations, refunds
  'test/local/dynamodb-local.test.ts', // starts, kills and restarts DynamoDB Local's JVM
  'test/e2e/journey.e2e.test.ts',
  'test/e2e/ops.e2e.test.ts', // DLQs, replays and a flagged order through the sagas
  'test/e2e/cart.e2e.test.ts',
  // Seconds of real timeouts and backoffs: the pure tests' one file that mostly waits, which
  // otherwise started with them at the end of the run (10 s of its last 12 at load 11).
  'test/unit/edge/dashboard-api.test.ts',
];

export class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = LONG_FILES.indexOf(path.relative(spec.project.config.root, spec.moduleId).split(path.sep).join('/'));
      return index === -1 ? LONG_FILES.length : index;
    };
    // Within a sequence.groupOrder only: groups run one after another.
    return sorted
      .map((spec, index) => ({ spec, index, group: spec.project.config.sequence.groupOrder, rank: rank(spec) }))
      .sort((a, b) => a.group - b.group || a.rank - b.rank || a.index - b.index)
      .map(({ spec }) => spec);
  }
}
