import { catalogRoutes } from '../../contracts/routes/catalog';
import { httpRoute } from '../../shared/http/route-handler';
import { productStore } from '../composition';
import { createProduct } from '../domain/catalog';

export const handler = httpRoute(catalogRoutes.createProduct, async ({ body, correlationId }) => {
  const product = await createProduct(productStore, body, correlationId);
  return { status: 201, body: product, headers: { Location: `/products/${product.id}` } };
});
