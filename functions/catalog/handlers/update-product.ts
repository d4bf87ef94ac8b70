import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { productStore } from '../composition';
import { updateProduct } from '../domain/catalog';

export const handler = httpRoute(routes.updateProduct, async ({ params, body, correlationId }) => ({
  status: 200,
  body: await updateProduct(productStore, params.productId, body, correlationId),
}));
