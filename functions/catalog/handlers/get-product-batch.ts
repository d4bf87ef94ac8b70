import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { productStore } from '../composition';
import { getProductBatch } from '../domain/catalog';

export const handler = httpRoute(routes.getProductBatch, async ({ query }) => ({
  status: 200,
  body: await getProductBatch(productStore, query.ids),
}));
