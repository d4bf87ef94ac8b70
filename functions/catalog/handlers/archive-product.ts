import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { productStore } from '../composition';
import { archiveProduct } from '../domain/catalog';

export const handler = httpRoute(routes.archiveProduct, async ({ params, correlationId }) => {
  await archiveProduct(productStore, params.productId, correlationId);
  return { status: 204 };
});
