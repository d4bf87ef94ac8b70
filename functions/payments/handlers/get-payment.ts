import { paymentsRoutes } from '../../contracts/routes/payments';
import { httpRoute } from '../../shared/http/route-handler';
import { paymentStore } from '../composition';
import { paymentOf } from '../domain/payments';

export const handler = httpRoute(paymentsRoutes.getPayment, async ({ params, caller }) => ({
  status: 200,
  body: await paymentOf(paymentStore, params.orderId, caller),
}));
