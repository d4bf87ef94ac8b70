import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { edgeRoutes } from '../../contracts/routes/edge';
import { httpRoute } from '../../shared/http/route-handler';
import { logger, metrics } from '../../shared/observability';
import { dashboardSources } from '../dashboard/adapters/sources';
import { assembleDashboard } from '../dashboard/domain/dashboard';

export const handler = httpRoute(edgeRoutes.dashboard, async ({ headers, correlationId }) => {
  const sources = dashboardSources({
    headers,
    // Present: the route's access level has already verified the bearer token in it.
    authorization: headers.authorization ?? '',
    correlationId,
  });
  const dashboard = await assembleDashboard(sources, (section, error) =>
    logger.warn('Dashboard section degraded', { section, error: error instanceof Error ? error : String(error) }),
  );
  if (dashboard.degraded.length > 0) metrics.addMetric('DashboardSectionsDegraded', MetricUnit.Count, dashboard.degraded.length);
  return { status: 200, body: dashboard };
});
