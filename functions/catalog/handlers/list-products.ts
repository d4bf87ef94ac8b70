import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { signingKeys } from '../../shared/signing-keys';
import { productStore } from '../composition';
import { listProducts } from '../domain/catalog';

export const handler = httpRoute(routes.listProducts, async ({ query }) => ({
  status: 200,
  body: await listProducts(productStore, query, (await signingKeys()).cursor),
}));
