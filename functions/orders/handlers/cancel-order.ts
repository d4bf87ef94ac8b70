import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { cancellationSaga } from '../adapters/cancellation-saga';
import { shipmentClaimer } from '../adapters/shipment-claim';
import { orderStore } from '../adapters/store';
import { cancelOrder } from '../domain/orders';

export const handler = httpRoute(routes.cancelOrder, async ({ params, caller, correlationId }) => ({
  status: 202,
  body: await cancelOrder({ store: orderStore, cancellationSaga, shipping: shipmentClaimer }, params.orderId, caller, correlationId),
}));
