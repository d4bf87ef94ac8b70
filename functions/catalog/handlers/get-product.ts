import { catalogRoutes } from '../../contracts/routes/catalog';
import { httpRoute } from '../../shared/http/route-handler';
import { productStore } from '../composition';
import { getProduct } from '../domain/catalog';

export const handler = httpRoute(catalogRoutes.getProduct, async ({ params }) => ({
  status: 200,
  body: await getProduct(productStore, params.productId),
}));
