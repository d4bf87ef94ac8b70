import * as z from 'zod';

/**
 * Why an order left the happy path, in its events and in the API's order (contracts/api/orders.ts),
 * which imports them from here rather than from ./orders: a function serving or calling an order
 * route then builds no order events at its cold start.
 */
export const RejectionReason = z.enum(['OUT_OF_STOCK']);
/**
 * PROCESSING_FAILED: a step of the order saga other than the charge kept failing for a reason
 * that is no business outcome (a timeout, a fault); the saga undid what it had done.
 */
export const CancellationReason = z.enum(['PAYMENT_DECLINED', 'PAYMENT_UNAVAILABLE', 'CUSTOMER_REQUEST', 'PROCESSING_FAILED']);
