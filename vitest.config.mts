import { defineConfig } from 'vitest/config';

// Quiet, side-effect-free Powertools while handlers run inside the test process.
const powertools = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_METRICS_NAMESPACE: 'CommerceTest',
  POWERTOOLS_SERVICE_NAME: 'test',
  POWERTOOLS_TRACE_ENABLED: 'false',
};

export default defineConfig({
  test: {
    projects: [
      {
        // Pure tests: no Java, no synth (`npm run test:fast`).
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 20_000,
          pool: 'forks',
          env: powertools,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/infra/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/local/**/*.test.ts'],
          // One DynamoDB Local (Java) per run; tests reach it via inject('dynamoEndpoint').
          globalSetup: ['test/support/global-dynamodb.ts'],
          testTimeout: 20_000,
          // The first run downloads DynamoDB Local (~57 MB) before the JVM starts.
          hookTimeout: 120_000,
          pool: 'forks',
          env: powertools,
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
        },
      },
    ],
  },
});
