import { beforeAll, describe, expect, it } from 'vitest';
import { CART_ENV } from '../../../functions/cart/cart-config';
import { ENV } from '../../../functions/shared/environment';
import { CartStack } from '../../../lib/cart/cart-stack';
import { expectItemAccessToOwnTableOnly, expectOutboxRelay, synthesizeStack, type StackTest } from '../../support/stack';

let built: StackTest<CartStack>;
let prod: StackTest<CartStack>;

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

  it("reads the API's address from the parameter the API stack publishes, with GetParameter on that parameter only", () => {
    const { stack, statementsOf } = built;
    const { clearCart, ...callers } = stack.routeFunctions;
    // DELETE /cart calls nothing: neither the address nor the grant.
    expect(built.environmentOf(clearCart)).not.toHaveProperty(ENV.apiUrlParameter);
    expect(built.actionsOf(clearCart).filter((a) => a.startsWith('ssm:'))).toEqual([]);
    for (const fn of Object.values(callers)) {
      const variables = built.environmentOf(fn);
      expect(variables[ENV.apiUrlParameter]).toBe('/commerce/dev/api-url');
      expect(variables).not.toHaveProperty(ENV.apiUrl);
      const ssm = statementsOf(fn).filter((s) => ([] as string[]).concat(s.Action).some((a) => a.startsWith('ssm:')));
      expect(ssm).toHaveLength(1);
      expect(ssm[0]!.Action).toBe('ssm:GetParameter');
      expect(JSON.stringify(ssm[0]!.Resource)).toContain(':parameter/commerce/dev/api-url');
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
