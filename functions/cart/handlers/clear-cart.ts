import { cartRoutes } from '../../contracts/routes/cart';
import { httpRoute } from '../../shared/http/route-handler';
import { cartStore } from '../composition';
import { clearCart } from '../domain/cart-service';

export const handler = httpRoute(cartRoutes.clearCart, async ({ caller }) => {
  await clearCart(cartStore, caller.userId);
  return { status: 204 };
});
