import * as z from 'zod';
import { ShipmentStatus } from './api/shipment-status';

/**
 * The shipping-owned claim of a CONFIRMED order's shipment for its cancellation, invoked by the
 * orders context (POST /orders/{orderId}/cancel) synchronously, before it answers: a shipment
 * still PREPARING becomes CANCELLED, so it can no longer be dispatched, and the refund may go
 * ahead; one already DISPATCHED or DELIVERED is left as it is, and the cancel is refused (409).
 * An order whose shipment does not exist yet (its OrderConfirmed is still on its way to
 * shipping) gets its shipment at once, CANCELLED, and the later OrderConfirmed finds it there.
 */
export const ClaimShipmentInput = z.object({ orderId: z.string(), customerId: z.string(), correlationId: z.string() });
export type ClaimShipmentInput = z.infer<typeof ClaimShipmentInput>;

/** `claimed`: the shipment is CANCELLED (by this claim or an earlier one), `status` is what it is now. */
export const ClaimShipmentResult = z.object({ orderId: z.string(), claimed: z.boolean(), status: ShipmentStatus });
export type ClaimShipmentResult = z.infer<typeof ClaimShipmentResult>;
