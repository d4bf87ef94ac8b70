import * as z from 'zod';
import { defineEvent } from './envelope';

export const ShipmentDispatched = defineEvent(
  'shipping',
  'ShipmentDispatched',
  z.object({ orderId: z.string(), shipmentId: z.string(), carrier: z.string(), trackingNumber: z.string() }),
);

export const ShipmentDelivered = defineEvent('shipping', 'ShipmentDelivered', z.object({ orderId: z.string(), shipmentId: z.string() }));
