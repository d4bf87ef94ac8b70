import { catalogRoutes } from '../../contracts/routes/catalog';
import { httpRoute } from '../../shared/http/route-handler';
import { productStore } from '../composition';
import { archiveProduct } from '../domain/catalog';

export const handler = httpRoute(catalogRoutes.archiveProduct, async ({ params, correlationId }) => {
  await archiveProduct(productStore, params.productId, correlationId);
  return { status: 204 };
});
