import { Payment } from '../api/payments';
import { orderParams, type RouteContract } from '../route-contract';

/** The routes of payments: what its functions import instead of the whole API's (see routes.ts). */
export const paymentsRoutes = {
  getPayment: {
    method: 'GET', path: '/payments/{orderId}', owner: 'payments', access: 'user',
    summary: "The payment of one of the caller's orders (any for an admin)",
    params: orderParams,
    responses: { 200: { description: 'Payment', schema: Payment } },
    errors: [401, 404],
  },
} as const satisfies Record<string, RouteContract>;
