import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts one DynamoDB Local (Java) per run; tests reach it via inject('dynamoEndpoint').
    globalSetup: ['test/support/global-dynamodb.ts'],
    testTimeout: 20_000,
    // The first run downloads DynamoDB Local (~57 MB) before the JVM starts.
    hookTimeout: 60_000,
    pool: 'forks',
    // Quiet, side-effect-free Powertools while handlers run in tests.
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_METRICS_NAMESPACE: 'CommerceTest',
      POWERTOOLS_SERVICE_NAME: 'test',
      POWERTOOLS_TRACE_ENABLED: 'false',
    },
  },
});
