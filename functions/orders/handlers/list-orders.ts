import { ordersRoutes } from '../../contracts/routes/orders';
import { httpRoute } from '../../shared/http/route-handler';
import { signingKeys } from '../../shared/signing-keys';
import { orderStore } from '../composition';
import { listOrders } from '../domain/order-reads';

export const handler = httpRoute(ordersRoutes.listOrders, async ({ query, caller }) => ({
  status: 200,
  body: await listOrders(orderStore, caller.userId, query, (await signingKeys()).cursor),
}));
