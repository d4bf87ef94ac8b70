import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { cartDeps } from '../api-composition';
import { getCart } from '../domain/cart-service';

export const handler = httpRoute(routes.getCart, async ({ caller, headers, correlationId }) => ({
  status: 200,
  body: await getCart(await cartDeps({ headers, correlationId }), caller.userId),
}));
