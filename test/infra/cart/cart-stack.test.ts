import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CART_ENV } from '../../../functions/cart/cart-config';
import { ENV } from '../../../functions/shared/environment';
import { CartStack } from '../../../lib/cart/cart-stack';
import { expectItemAccessToOwnTableOnly, expectOutboxRelay, logicalIdOf, synthesizeStack } from '../../support/stack';

let built: ReturnType<typeof synthesizeStack<CartStack>>;
let prod: ReturnType<typeof synthesizeStack<CartStack>>;

beforeAll(() => {
  built = synthesizeStack((app, platform, env) => new CartStack(app, 'cart', { env, platform }));
  prod = synthesizeStack((app, platform, env) => new CartStack(app, 'cart', { env, platform }), { stage: 'prod' });
}, 120_000);

describe('CartStack', () => {
  it('has one function per cart route, logged as the cart service, and publishes through its outbox', () => {
    const { stack, resources, logicalId } = built;
    expect(Object.keys(stack.routeFunctions).sort()).toEqual(['checkout', 'clearCart', 'deleteCartItem', 'getCart', 'putCartItem']);
    expect(resources[logicalId(stack.routeFunctions.putCartItem)]!.Properties!.Description).toBe('PUT /cart/items/{productId}');
    expect(built.environmentOf(stack.routeFunctions.getCart)).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'cart' });
    expectOutboxRelay(built);
  });

  it('grants GetItem to GET /cart and GetItem + PutItem to the writers, on its own table only', () => {
    const { stack, actionsOf } = built;
    const dynamo = (fn: Parameters<typeof actionsOf>[0]) => actionsOf(fn).filter((a) => a.startsWith('dynamodb:')).sort();
    expect(dynamo(stack.routeFunctions.getCart)).toEqual(['dynamodb:GetItem']);
    for (const writer of ['putCartItem', 'deleteCartItem', 'clearCart', 'checkout'] as const) {
      expect(dynamo(stack.routeFunctions[writer]), writer).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    }
    expect(expectItemAccessToOwnTableOnly(built)).toBeGreaterThan(0);
  });

  it("gets the API's address at deploy time, built from the platform's API id and the stage's name, with no grant", () => {
    for (const [test, stageName] of [[built, 'dev'], [prod, 'prod']] as const) {
      const { clearCart, ...callers } = test.stack.routeFunctions;
      // DELETE /cart calls nothing: no address.
      expect(test.environmentOf(clearCart)).not.toHaveProperty(ENV.apiUrl);
      // The platform's export of its REST API's id (the platform deploys first).
      const outputs = Template.fromStack(test.platform).toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>;
      const restApiId = Object.values(outputs).find((o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: logicalIdOf(test.platform.restApi) }));
      expect(restApiId?.Export?.Name).toBeDefined();
      for (const fn of Object.values(callers)) {
        expect(test.environmentOf(fn)[ENV.apiUrl]).toEqual({
          'Fn::Join': ['', ['https://', { 'Fn::ImportValue': restApiId!.Export!.Name }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, `/${stageName}`]],
        });
      }
      // No SSM read at the first request, nor anything else to reach the API: each route checks the caller's token.
      expect(test.ofType('AWS::IAM::Policy').filter(([, policy]) => JSON.stringify(policy).includes('ssm:'))).toEqual([]);
    }
  });

  it('gives checkout time for the retries of POST /orders, and the fault switch only outside prod', () => {
    const { stack, resources, logicalId } = built;
    expect(resources[logicalId(stack.routeFunctions.checkout)]!.Properties!.Timeout).toBe(25);
    expect(built.environmentOf(stack.routeFunctions.getCart)[CART_ENV.faultInjection]).toBe('enabled');
    // Checkout reads no catalog, so it has no switch.
    expect(built.environmentOf(stack.routeFunctions.checkout)).not.toHaveProperty(CART_ENV.faultInjection);
    for (const fn of Object.values(prod.stack.routeFunctions)) expect(prod.environmentOf(fn)).not.toHaveProperty(CART_ENV.faultInjection);
  });

  it('passes the AwsSolutions checks', () => {
    expect(built.nagFindings()).toEqual([]);
    expect(prod.nagFindings()).toEqual([]);
  });
});
