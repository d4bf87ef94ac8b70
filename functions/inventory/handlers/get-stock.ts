import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { inventoryStore } from '../composition';
import { getStock } from '../domain/inventory';

export const handler = httpRoute(routes.getStock, async ({ params }) => ({
  status: 200,
  body: await getStock(inventoryStore, params.productId),
}));
