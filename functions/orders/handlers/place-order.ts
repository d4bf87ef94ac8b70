import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { orderSaga } from '../adapters/order-saga';
import { catalogCopies, orderStore } from '../adapters/store';
import { placeOrder } from '../domain/orders';

export const handler = httpRoute(routes.placeOrder, async ({ body, declaredHeaders, caller, correlationId }) => {
  const order = await placeOrder(
    { store: orderStore, catalog: catalogCopies, saga: orderSaga },
    { customerId: caller.userId, body, idempotencyKey: declaredHeaders['idempotency-key'], correlationId },
  );
  return { status: 202, body: order, headers: { Location: `/orders/${order.orderId}` } };
});
