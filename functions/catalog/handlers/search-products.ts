import { catalogRoutes } from '../../contracts/routes/catalog';
import { httpRoute } from '../../shared/http/route-handler';
import { signingKeys } from '../../shared/signing-keys';
import { searchProducts } from '../domain/search';
import { searchIndex } from '../search-composition';

export const handler = httpRoute(catalogRoutes.searchProducts, async ({ query }) => ({
  status: 200,
  body: await searchProducts(searchIndex, query, (await signingKeys()).cursor),
}));
