import * as z from 'zod';
import { ShipmentStatus } from './shipment-status';

export { ShipmentStatus };

export const Shipment = z.object({
  shipmentId: z.string(),
  orderId: z.string(),
  status: ShipmentStatus,
  carrier: z.string().optional(),
  trackingNumber: z.string().optional(),
  updatedAt: z.iso.datetime(),
});
export type Shipment = z.infer<typeof Shipment>;

export const DispatchRequest = z.strictObject({
  carrier: z.string().trim().min(1).max(50),
  trackingNumber: z.string().trim().min(1).max(100),
});
export type DispatchRequest = z.infer<typeof DispatchRequest>;
