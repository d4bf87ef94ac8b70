import { cartRoutes } from '../../contracts/routes/cart';
import { httpRoute } from '../../shared/http/route-handler';
import { ordersFor } from '../api-composition';
import { cartStore } from '../composition';
import { checkout } from '../domain/cart-service';

export const handler = httpRoute(cartRoutes.checkout, async ({ caller, body, declaredHeaders, headers, correlationId }) => {
  // Present: the route's access level has already verified the bearer token in it.
  const orders = await ordersFor({ headers, correlationId, authorization: headers.authorization ?? '' });
  const order = await checkout(cartStore, orders, {
    userId: caller.userId, body, idempotencyKey: declaredHeaders['idempotency-key'], correlationId,
  });
  return { status: 202, body: order, headers: { Location: `/orders/${order.orderId}` } };
});
