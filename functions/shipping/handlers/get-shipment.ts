import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { shipmentStore } from '../composition';
import { getShipment } from '../domain/shipping';

export const handler = httpRoute(routes.getShipment, async ({ params, caller }) => ({
  status: 200,
  body: await getShipment(shipmentStore, params.orderId, caller),
}));
