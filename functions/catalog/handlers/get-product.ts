import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { productStore } from '../composition';
import { getProduct } from '../domain/catalog';

export const handler = httpRoute(routes.getProduct, async ({ params }) => ({
  status: 200,
  body: await getProduct(productStore, params.productId),
}));
