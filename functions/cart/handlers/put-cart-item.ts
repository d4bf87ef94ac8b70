import { cartRoutes } from '../../contracts/routes/cart';
import { httpRoute } from '../../shared/http/route-handler';
import { cartDeps } from '../api-composition';
import { putItem } from '../domain/cart-service';

export const handler = httpRoute(cartRoutes.putCartItem, async ({ caller, params, body, headers, correlationId }) => ({
  status: 200,
  body: await putItem(await cartDeps({ headers, correlationId }), caller.userId, params.productId, body.quantity),
}));
