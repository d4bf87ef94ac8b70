import { catalogRoutes } from '../../contracts/routes/catalog';
import { httpRoute } from '../../shared/http/route-handler';
import { productStore } from '../composition';
import { getProductBatch } from '../domain/catalog';

export const handler = httpRoute(catalogRoutes.getProductBatch, async ({ query }) => ({
  status: 200,
  body: await getProductBatch(productStore, query.ids),
}));
