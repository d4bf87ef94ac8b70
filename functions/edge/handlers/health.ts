import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { edgeRoutes } from '../../contracts/routes/edge';
import { sdkClient } from '../../shared/aws-clients';
import { httpRoute } from '../../shared/http/route-handler';
import { logger } from '../../shared/observability';
import { edgeConfig } from '../edge-config';

const tables = edgeConfig.healthTables();
// One attempt: a table that does not answer at once is reported, not waited for.
const dynamodb = /* @__PURE__ */ sdkClient(DynamoDBClient, { maxAttempts: 1 });
const CHECK_TIMEOUT_MS = 2000;

/** A context is healthy when its table answers and is ACTIVE, within the timeout. */
async function check(context: string, tableName: string): Promise<[string, string]> {
  try {
    const { Table } = await dynamodb().send(new DescribeTableCommand({ TableName: tableName }), {
      abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
    });
    return [context, Table?.TableStatus === 'ACTIVE' ? 'ok' : `table ${Table?.TableStatus ?? 'unknown'}`];
  } catch (error) {
    logger.warn('Health check failed', { context, error: error as Error });
    return [context, 'unavailable'];
  }
}

export const handler = httpRoute(edgeRoutes.health, async () => {
  const checks = Object.fromEntries(await Promise.all(Object.entries(tables).map(([context, table]) => check(context, table))));
  const healthy = Object.values(checks).every((result) => result === 'ok');
  return { status: healthy ? 200 : 503, body: { status: healthy ? 'ok' : 'degraded', checks } };
});
