import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CART_ENV, FAULT_INJECTION_ENABLED } from '../../functions/cart/cart-config';
import { ContextStack, type ContextStackProps } from '../platform/context-stack';
import { bindApiUrl } from '../platform/rest-api';
import type { RouteFunctionProps } from '../platform/route-function';
import type { ServiceFunction, TableAction } from '../platform/service-function';

type CartRoute = 'getCart' | 'putCartItem' | 'deleteCartItem' | 'clearCart' | 'checkout';

/**
 * The carts: one per user, on the context's own table, publishing CartCheckedOut through the
 * outbox. The routes read the catalog and place orders through the public API, as the caller, at
 * its address given at deploy time (the API's resource is the platform's, so this stack, deployed
 * before the API stack that routes to it, knows its id): no grant on any other context's data.
 */
export class CartStack extends ContextStack {
  readonly routeFunctions: Record<CartRoute, ServiceFunction>;

  constructor(scope: Construct, id: string, props: ContextStackProps) {
    super(scope, id, props, { service: 'cart', publishes: true });
    const { platform } = this;
    const { stage } = platform;
    // The store reads the one cart item and writes it whole, in a transaction with any outbox record (both Puts).
    const reads: TableAction[] = ['GetItem'];
    const writes: TableAction[] = ['GetItem', 'PutItem'];
    const route = (routeId: CartRoute, access: readonly TableAction[], routeProps: RouteFunctionProps = {}) =>
      this.route(routeId, routeProps).bindTable(this.table, access);
    /** A route that calls the API: its address, and the fault switch where the stage allows it. */
    const callingTheApi = (fn: ServiceFunction, { readsCatalog }: { readsCatalog: boolean }) => {
      bindApiUrl(fn, platform);
      if (readsCatalog && stage.faultInjection) fn.addEnvironment(CART_ENV.faultInjection, FAULT_INJECTION_ENABLED);
      return fn;
    };
    this.routeFunctions = {
      getCart: callingTheApi(route('getCart', reads), { readsCatalog: true }),
      putCartItem: callingTheApi(route('putCartItem', writes), { readsCatalog: true }),
      deleteCartItem: callingTheApi(route('deleteCartItem', writes), { readsCatalog: true }),
      clearCart: route('clearCart', writes),
      // Placing the order may take retries of POST /orders (15 s budget by default), within API Gateway's 29 s.
      checkout: callingTheApi(route('checkout', writes, { timeout: Duration.seconds(25) }), { readsCatalog: false }),
    };
  }
}
