import { defineConfig } from 'vitest/config';
import { LongFilesFirst } from './test/support/sequencer';

// Quiet, side-effect-free Powertools while handlers run inside the test process.
const powertools = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_METRICS_NAMESPACE: 'CommerceTest',
  POWERTOOLS_SERVICE_NAME: 'test',
  POWERTOOLS_TRACE_ENABLED: 'false',
};

/**
 * The unit, infra and integration projects: files that share their worker processes, one Node
 * start and one load of vitest and node_modules (zod, the SDK, Powertools; aws-cdk-lib and
 * cdk-nag, 1.1-1.4 s of CPU a file on its own) per worker, not per file, and synth on warm code:
 * unit 23 -> 9 s, 10 stack tests 57 -> 28 s of CPU, the 49 integration files 171 -> 134 s. Each
 * file still gets the project's modules afresh and leaves the environment as it found it
 * (test/support/per-file-reset.ts; the SDK mocks restore the clients at the file's end).
 */
const sharedWorkers = {
  pool: 'forks' as const,
  isolate: false,
  setupFiles: ['test/support/per-file-reset.ts'],
  // One pool for all the projects (the same groupOrder, so the same maxWorkers: see below): the
  // pure tests fill the cycles the others spend waiting, instead of running in a group of their
  // own, first, while the others wait.
  maxWorkers: 3,
  sequence: { groupOrder: 0 },
  env: powertools,
};

const shufflingFiles = process.argv.some((arg) => /^--sequence\.shuffle(\.files)?(=true)?$/.test(arg));

export default defineConfig({
  test: {
    // The files known to run long start first (test/support/sequencer.ts); vitest's own random
    // order with --sequence.shuffle (a sequencer given here would take its place).
    sequence: { sequencer: shufflingFiles ? undefined : LongFilesFirst },
    projects: [
      {
        // Pure tests: no Java, no synth (`npm run test:fast`).
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
          ...sharedWorkers,
        },
      },
      {
        // The synthesized templates and contracts: no Java, no runtime.
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts', 'test/contract/**/*.test.ts'],
          // It counts requests to DynamoDB Local: with the handler tests, where the JVM is.
          exclude: ['test/infra/bench-cost-proxy.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 120_000,
          ...sharedWorkers,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/local/**/*.test.ts', 'test/infra/bench-cost-proxy.test.ts'],
          // One DynamoDB Local (Java) per run; tests reach it via inject('dynamoEndpoint').
          globalSetup: ['test/support/global-dynamodb.ts'],
          testTimeout: 20_000,
          // The first run downloads DynamoDB Local (~57 MB) before the JVM starts.
          hookTimeout: 120_000,
          ...sharedWorkers,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          // HTTP only, to E2E_BASE_URL; started here as `npm start` would when it is unset.
          globalSetup: ['test/e2e/support/global-runtime.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Files wait on one runtime's sagas and pollers, each with its own users and products:
          // three at a time took 168 s where one at a time took 345 s (2 cores, all 54 green).
          // Its runtime is up before any test runs (global setups come first), so its files run
          // beside the others', slowest first, rather than after all of them.
          maxWorkers: 3,
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
});
