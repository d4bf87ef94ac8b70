import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { orderStore } from '../composition';
import { getOrder } from '../domain/orders';

export const handler = httpRoute(routes.getOrder, async ({ params, caller }) => ({
  status: 200,
  body: await getOrder(orderStore, params.orderId, caller),
}));
