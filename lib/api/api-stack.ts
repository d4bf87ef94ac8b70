import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { routes, type RouteId } from '../../functions/contracts/routes';
import { EDGE_ENV, FAULT_INJECTION_ENABLED } from '../../functions/edge/edge-config';
import type { Platform } from '../platform/platform-stack';
import { CommerceRestApi } from '../platform/rest-api';
import { routeFunction } from '../platform/route-function';

export interface ApiStackProps extends StackProps {
  readonly platform: Platform;
  /** The function of every context route, from the context stacks. */
  readonly routeFunctions: Partial<Record<RouteId, IFunction>>;
  /** Each context's table, checked by GET /health. */
  readonly healthTables: Record<string, ITable>;
}

/**
 * The public REST API, deployed after the contexts: routes every contract route to the
 * function that owns it, and hosts the edge routes (health, OpenAPI document).
 */
export class ApiStack extends Stack {
  readonly restApi: CommerceRestApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { platform } = props;
    this.restApi = new CommerceRestApi(this, 'Rest', { stage: platform.stage });

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
    this.restApi.bindUrl(dashboard);
    const edge: Partial<Record<RouteId, IFunction>> = { health, openApi: routeFunction(this, 'openApi', platform), dashboard };

    for (const [routeId, route] of Object.entries(routes) as [RouteId, (typeof routes)[RouteId]][]) {
      const owned = edge[routeId] ?? props.routeFunctions[routeId];
      if (!owned) throw new Error(`No function serves route ${routeId} (${route.method} ${route.path})`);
      // Imported by ARN so the invoke permission lives in this stack: a permission in the
      // context stack would point back at the API and make the two stacks depend on each other.
      const target = edge[routeId]
        ? owned
        : LambdaFunction.fromFunctionAttributes(this, `${routeId}Target`, { functionArn: owned.functionArn, sameEnvironment: true });
      this.restApi.addRoute(routeId, route, target);
    }

    new CfnOutput(this, 'ApiUrl', { value: this.restApi.api.url, description: 'Base URL of the commerce API' });
  }
}
