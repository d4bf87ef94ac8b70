import { routes } from '../../contracts/routes';
import { httpRoute } from '../../shared/http/route-handler';
import { cartStore } from '../composition';
import { clearCart } from '../domain/cart-service';

export const handler = httpRoute(routes.clearCart, async ({ caller }) => {
  await clearCart(cartStore, caller.userId);
  return { status: 204 };
});
