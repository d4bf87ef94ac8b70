/**
 * The REST API split across stacks: its own resource in the platform stack, its routes, deployment
 * and stage in the API stack (CommerceRestApi on RestApi.fromRestApiAttributes). An imported API
 * has no deployment CDK keeps up to date, so these pin that this one is: it waits for every part
 * of the API and takes a new logical id (so CloudFormation deploys again) when any of them changes.
 */
import { App, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { routes, type RouteId } from '../../../functions/contracts/routes';
import { PlatformStack } from '../../../lib/platform/platform-stack';
import { CommerceRestApi } from '../../../lib/platform/rest-api';
import { routeFunction } from '../../../lib/platform/route-function';
import { stageFrom } from '../../../lib/platform/stage';
import { inspectStack, testContext } from '../../support/stack';

/** The API stack's deployment with the given routes: its logical id and what it waits for. */
function deploymentWith(routeIds: RouteId[], allowedOrigin = '*') {
  const app = new App({ context: { ...testContext(), stage: 'dev' } });
  const platform = new PlatformStack(app, 'platform', { stage: { ...stageFrom('dev'), allowedOrigin } });
  const stack = new Stack(app, 'api');
  const api = new CommerceRestApi(stack, 'Rest', { stage: platform.stage, restApi: platform.restApi });
  for (const id of routeIds) api.addRoute(id, routes[id], routeFunction(stack, id, platform));
  const { ofType, template } = inspectStack(stack);
  const [[logicalId]] = ofType('AWS::ApiGateway::Deployment');
  const dependsOn = (template.toJSON().Resources as Record<string, { DependsOn?: string[] }>)[logicalId!]!.DependsOn ?? [];
  const idsOf = (type: string) => ofType(type).map(([id]) => id);
  return { logicalId: logicalId!, dependsOn, idsOf };
}

describe("the API stack's deployment of the platform's REST API", () => {
  it('waits for every method, model, validator and gateway response of the API', () => {
    const { dependsOn, idsOf } = deploymentWith(['getProduct', 'register']);
    const parts = ['Method', 'Model', 'RequestValidator', 'GatewayResponse'].flatMap((type) => idsOf(`AWS::ApiGateway::${type}`));
    expect(idsOf('AWS::ApiGateway::Model')).toHaveLength(1);
    expect(dependsOn).toEqual(expect.arrayContaining(parts));
  });

  it('takes a new logical id when a route, a model or a gateway response changes, and keeps it otherwise', () => {
    const base = deploymentWith(['getProduct']).logicalId;
    expect(deploymentWith(['getProduct']).logicalId).toBe(base);
    expect(deploymentWith(['getProduct', 'getCart']).logicalId).not.toBe(base);
    expect(deploymentWith(['getProduct', 'register']).logicalId).not.toBe(deploymentWith(['getProduct', 'login']).logicalId);
    // The origin is in the preflight methods and in every gateway response.
    expect(deploymentWith(['getProduct'], 'https://shop.example.com').logicalId).not.toBe(base);
  });
});
