/**
 * The CORS origin comes from the stage alone: a stage naming its own origin gets it on the
 * gateway's preflight, on the gateway's own (problem+json) answers and on every route function,
 * which answers with ALLOWED_ORIGIN (functions/shared/http/middlewares.ts).
 */
import { App, Stack } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../functions/contracts/routes';
import { ENV } from '../../../functions/shared/environment';
import { PlatformStack } from '../../../lib/platform/platform-stack';
import { CommerceRestApi } from '../../../lib/platform/rest-api';
import { routeFunction } from '../../../lib/platform/route-function';
import { stageFrom } from '../../../lib/platform/stage';
import { inspectStack, testContext, type StackTest } from '../../support/stack';

const ORIGIN = 'https://shop.example.com';

let built: StackTest;
let fn: ReturnType<typeof routeFunction>;

beforeAll(() => {
  const app = new App({ context: { ...testContext(), stage: 'dev' } });
  const platform = new PlatformStack(app, 'platform', { stage: { ...stageFrom('dev'), allowedOrigin: ORIGIN } });
  const stack = new Stack(app, 'api');
  const api = new CommerceRestApi(stack, 'Rest', { stage: platform.stage, restApi: platform.restApi });
  fn = routeFunction(stack, 'getProduct', platform);
  api.addRoute('getProduct', routes.getProduct, fn);
  built = inspectStack(stack);
}, 120_000);

describe("the stage's CORS origin", () => {
  it('is the only origin of the preflight (OPTIONS) answers', () => {
    const options = built.ofType('AWS::ApiGateway::Method').filter(([, m]) => m.Properties!.HttpMethod === 'OPTIONS');
    expect(options.length).toBeGreaterThan(0);
    for (const [id, method] of options) {
      const responses = (method.Properties!.Integration as { IntegrationResponses: { ResponseParameters: Record<string, string> }[] })
        .IntegrationResponses;
      expect(responses.map((r) => r.ResponseParameters['method.response.header.Access-Control-Allow-Origin']), id).toEqual([`'${ORIGIN}'`]);
    }
  });

  it("is on every answer the gateway makes itself", () => {
    const gatewayResponses = built.ofType('AWS::ApiGateway::GatewayResponse');
    expect(gatewayResponses.length).toBeGreaterThan(0);
    for (const [id, response] of gatewayResponses) {
      const parameters = response.Properties!.ResponseParameters as Record<string, string>;
      expect(parameters['gatewayresponse.header.Access-Control-Allow-Origin'], id).toBe(`'${ORIGIN}'`);
    }
  });

  it("is what a route function answers with (ALLOWED_ORIGIN)", () => {
    expect(built.environmentOf(fn)[ENV.allowedOrigin]).toBe(ORIGIN);
  });
});
