import { catalogRoutes } from '../../contracts/routes/catalog';
import { httpRoute } from '../../shared/http/route-handler';
import { signingKeys } from '../../shared/signing-keys';
import { productStore } from '../composition';
import { listProducts } from '../domain/catalog';

export const handler = httpRoute(catalogRoutes.listProducts, async ({ query }) => ({
  status: 200,
  body: await listProducts(productStore, query, (await signingKeys()).cursor),
}));
