import { catalogRoutes } from '../../contracts/routes/catalog';
import { httpRoute } from '../../shared/http/route-handler';
import { productStore } from '../composition';
import { updateProduct } from '../domain/catalog';

export const handler = httpRoute(catalogRoutes.updateProduct, async ({ params, body, correlationId }) => ({
  status: 200,
  body: await updateProduct(productStore, params.productId, body, correlationId),
}));
