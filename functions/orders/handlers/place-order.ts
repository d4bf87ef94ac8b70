import { ordersRoutes } from '../../contracts/routes/orders';
import { httpRoute } from '../../shared/http/route-handler';
import { catalogCopies, orderStore } from '../composition';
import { placeOrder } from '../domain/orders';

/** Stores the order and its OrderPlaced event; the saga starts from that event (on-order-placed.ts). */
export const handler = httpRoute(ordersRoutes.placeOrder, async ({ body, declaredHeaders, caller, correlationId }) => {
  const order = await placeOrder(
    { store: orderStore, catalog: catalogCopies },
    { customerId: caller.userId, body, idempotencyKey: declaredHeaders['idempotency-key'], correlationId },
  );
  return { status: 202, body: order, headers: { Location: `/orders/${order.orderId}` } };
});
