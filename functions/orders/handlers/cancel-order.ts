import { ordersRoutes } from '../../contracts/routes/orders';
import { httpRoute } from '../../shared/http/route-handler';
import { shipmentClaimer } from '../claim-composition';
import { cancellationSaga, orderStore } from '../composition';
import { cancelOrder } from '../domain/order-cancellation';

const deps = { store: orderStore, cancellationSaga: cancellationSaga(), shipping: shipmentClaimer() };

export const handler = httpRoute(ordersRoutes.cancelOrder, async ({ params, caller, correlationId }) => ({
  status: 202,
  body: await cancelOrder(deps, params.orderId, caller, correlationId),
}));
