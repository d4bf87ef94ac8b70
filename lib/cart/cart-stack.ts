import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CART_ENV, FAULT_INJECTION_ENABLED } from '../../functions/cart/cart-config';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import { bindPublishedApiUrl } from '../platform/rest-api';
import type { RouteFunctionProps } from '../platform/route-function';
import type { ServiceFunction, TableAction } from '../platform/service-function';

type CartRoute = 'getCart' | 'putCartItem' | 'deleteCartItem' | 'clearCart' | 'checkout';

/**
 * The carts: one per user, on the context's own table, publishing CartCheckedOut through the
 * outbox. The routes read the catalog and place orders through the public API, as the caller,
 * at the address the API stack publishes (this stack deploys before it): no grant on any other
 * context's data.
 */
export class CartStack extends ContextStack {
  readonly routeFunctions: Record<CartRoute, ServiceFunction>;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    super(scope, id, props, { service: 'cart', publishes: true });
    const { stage } = this.platform;
    const faults: Record<string, string> = stage.faultInjection ? { [CART_ENV.faultInjection]: FAULT_INJECTION_ENABLED } : {};
    const route = (routeId: CartRoute, access: readonly TableAction[], routeProps: RouteFunctionProps = {}) => {
      const fn = this.route(routeId, { ...routeProps, environment: { ...faults, ...routeProps.environment } }).bindTable(this.table, access);
      bindPublishedApiUrl(fn, stage);
      return fn;
    };
    // The store reads the one cart item and writes it whole, in a transaction with any outbox record (both Puts).
    const reads: TableAction[] = ['GetItem'];
    const writes: TableAction[] = ['GetItem', 'PutItem'];
    this.routeFunctions = {
      getCart: route('getCart', reads),
      putCartItem: route('putCartItem', writes),
      deleteCartItem: route('deleteCartItem', writes),
      clearCart: route('clearCart', writes),
      // Placing the order may take retries of POST /orders (15 s budget by default), within API Gateway's 29 s.
      checkout: route('checkout', writes, { timeout: Duration.seconds(25) }),
    };
  }
}
