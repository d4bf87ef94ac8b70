import { shippingRoutes } from '../../contracts/routes/shipping';
import { httpRoute } from '../../shared/http/route-handler';
import { shipmentStore } from '../composition';
import { dispatchShipment } from '../domain/shipping';

export const handler = httpRoute(shippingRoutes.dispatchShipment, async ({ params, body, correlationId }) => ({
  status: 200,
  body: await dispatchShipment(shipmentStore, params.orderId, body, correlationId),
}));
