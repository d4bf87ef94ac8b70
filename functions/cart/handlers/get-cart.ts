import { cartRoutes } from '../../contracts/routes/cart';
import { httpRoute } from '../../shared/http/route-handler';
import { cartDeps } from '../api-composition';
import { getCart } from '../domain/cart-service';

export const handler = httpRoute(cartRoutes.getCart, async ({ caller, headers, correlationId }) => ({
  status: 200,
  body: await getCart(await cartDeps({ headers, correlationId }), caller.userId),
}));
