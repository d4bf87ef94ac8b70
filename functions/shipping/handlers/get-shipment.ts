import { shippingRoutes } from '../../contracts/routes/shipping';
import { httpRoute } from '../../shared/http/route-handler';
import { shipmentStore } from '../composition';
import { getShipment } from '../domain/shipping';

export const handler = httpRoute(shippingRoutes.getShipment, async ({ params, caller }) => ({
  status: 200,
  body: await getShipment(shipmentStore, params.orderId, caller),
}));
