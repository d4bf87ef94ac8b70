import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { routes, type RouteId } from '../../functions/contracts/routes';
import { EDGE_ENV, FAULT_INJECTION_ENABLED } from '../../functions/edge/edge-config';
import type { Platform } from '../platform/platform-stack';
import { StackMonitoring } from '../platform/monitoring';
import { bindApiUrl, CommerceRestApi } from '../platform/rest-api';
import { ApiWebAcl } from '../platform/web-acl';
import { SystemDashboard, type SystemDashboardProps } from '../platform/system-dashboard';
import { routeFunction } from '../platform/route-function';
import { invoked } from '../platform/service-function';

export interface ApiStackProps extends StackProps {
  readonly platform: Platform;
  /** The function of every context route, from the context stacks. */
  readonly routeFunctions: Partial<Record<RouteId, IFunction>>;
  /** Each context's table, checked by GET /health. */
  readonly healthTables: Record<string, ITable>;
  /** What the system overview dashboard shows of the contexts (it lives here: this stack deploys last). */
  readonly overview: Pick<SystemDashboardProps, 'orderFlow' | 'sagaDuration' | 'contextDashboards'>;
}

/**
 * The public REST API, deployed after the contexts, on the API resource the platform stack holds:
 * routes every contract route to the function that owns it, and hosts the edge routes (health,
 * OpenAPI document).
 */
export class ApiStack extends Stack {
  readonly restApi: CommerceRestApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { platform } = props;
    // First, so that every function made below registers with it.
    const monitoring = new StackMonitoring(this, { alarmTopic: platform.alarmTopic, dashboardName: `commerce-${platform.stage.name}-api` });
    this.restApi = new CommerceRestApi(this, 'Rest', { stage: platform.stage, restApi: platform.restApi });
    monitoring.watchApi(this.restApi.api, Object.values(routes));
    // prod: LocalStack (dev) has no WAF.
    if (platform.stage.waf) new ApiWebAcl(this, 'WebAcl', { api: this.restApi.api, limits: platform.stage.waf });

    const health = routeFunction(this, 'health', platform, {
      environment: {
        [EDGE_ENV.healthTables]: Stack.of(this).toJsonString(
          Object.fromEntries(Object.entries(props.healthTables).map(([context, table]) => [context, table.tableName])),
        ),
      },
    });
    health.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: Object.values(props.healthTables).map((t) => t.tableArn) }),
    );
    // Reads the caller's profile, orders and notifications back through this API (no grants), at
    // the address it is deployed at, never one a request names.
    const dashboard = routeFunction(this, 'dashboard', platform, {
      environment: platform.stage.faultInjection ? { [EDGE_ENV.faultInjection]: FAULT_INJECTION_ENABLED } : {},
    });
    bindApiUrl(dashboard, platform);
    const edge: Partial<Record<RouteId, IFunction>> = { health, openApi: routeFunction(this, 'openApi', platform), dashboard };

    for (const [routeId, route] of Object.entries(routes) as [RouteId, (typeof routes)[RouteId]][]) {
      const owned = edge[routeId] ?? props.routeFunctions[routeId];
      if (!owned) throw new Error(`No function serves route ${routeId} (${route.method} ${route.path})`);
      // Imported by ARN so the invoke permission lives in this stack: a permission in the
      // context stack would point back at the API and make the two stacks depend on each other.
      // Its `live` alias where canaries deploy it (see ServiceFunction).
      const target = edge[routeId]
        ? invoked(owned)
        : LambdaFunction.fromFunctionAttributes(this, `${routeId}Target`, { functionArn: invoked(owned).functionArn, sameEnvironment: true });
      this.restApi.addRoute(routeId, route, target);
    }

    new SystemDashboard(this, 'Overview', { stage: platform.stage, api: this.restApi.api, ...props.overview });
    new CfnOutput(this, 'ApiUrl', { value: this.restApi.api.url, description: 'Base URL of the commerce API' });
  }
}
