import { cartRoutes } from '../../contracts/routes/cart';
import { httpRoute } from '../../shared/http/route-handler';
import { cartDeps } from '../api-composition';
import { removeItem } from '../domain/cart-service';

export const handler = httpRoute(cartRoutes.deleteCartItem, async ({ caller, params, headers, correlationId }) => ({
  status: 200,
  body: await removeItem(await cartDeps({ headers, correlationId }), caller.userId, params.productId),
}));
