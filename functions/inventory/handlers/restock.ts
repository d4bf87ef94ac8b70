import { inventoryRoutes } from '../../contracts/routes/inventory';
import { httpRoute } from '../../shared/http/route-handler';
import { inventoryStore } from '../composition';
import { restock } from '../domain/inventory';

export const handler = httpRoute(inventoryRoutes.restock, async ({ params, body, correlationId }) => ({
  status: 200,
  body: await restock(inventoryStore, params.productId, body.quantity, correlationId),
}));
