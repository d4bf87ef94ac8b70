import * as z from 'zod';
import { lineOfText } from './common';
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
  carrier: lineOfText(50),
  trackingNumber: lineOfText(100),
});
export type DispatchRequest = z.infer<typeof DispatchRequest>;
