import { ordersRoutes } from '../../contracts/routes/orders';
import { httpRoute } from '../../shared/http/route-handler';
import { orderStore } from '../composition';
import { getOrder } from '../domain/order-reads';

export const handler = httpRoute(ordersRoutes.getOrder, async ({ params, caller }) => ({
  status: 200,
  body: await getOrder(orderStore, params.orderId, caller),
}));
