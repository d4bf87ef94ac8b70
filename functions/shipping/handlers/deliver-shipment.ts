import { shippingRoutes } from '../../contracts/routes/shipping';
import { httpRoute } from '../../shared/http/route-handler';
import { shipmentStore } from '../composition';
import { deliverShipment } from '../domain/shipping';

export const handler = httpRoute(shippingRoutes.deliverShipment, async ({ params, correlationId }) => ({
  status: 200,
  body: await deliverShipment(shipmentStore, params.orderId, correlationId),
}));
