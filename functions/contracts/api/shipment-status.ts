import * as z from 'zod';

/**
 * Where a shipment is, in shipping's API (./shipping.ts) and in its claim for a cancellation
 * (../shipment-claim.ts), which imports it from here rather than from ./shipping: the orders
 * function that claims a shipment then builds none of shipping's API at its cold start.
 */
export const ShipmentStatus = z.enum(['PREPARING', 'DISPATCHED', 'DELIVERED', 'CANCELLED']);
export type ShipmentStatus = z.infer<typeof ShipmentStatus>;
