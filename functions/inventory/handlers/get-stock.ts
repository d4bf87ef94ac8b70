import { inventoryRoutes } from '../../contracts/routes/inventory';
import { httpRoute } from '../../shared/http/route-handler';
import { inventoryStore } from '../composition';
import { getStock } from '../domain/inventory';

export const handler = httpRoute(inventoryRoutes.getStock, async ({ params }) => ({
  status: 200,
  body: await getStock(inventoryStore, params.productId),
}));
