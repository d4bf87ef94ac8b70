import { ClaimShipmentInput, type ClaimShipmentResult } from '../../contracts/shipment-claim';
import { sagaTask } from '../../shared/saga-task';
import { shipmentStore } from '../composition';
import { claimShipment } from '../domain/shipping';

/**
 * The first step of a customer's cancellation of a CONFIRMED order, invoked directly (and
 * synchronously) by the orders context before it answers the cancel request: claims the
 * shipment, or says it has already left. Idempotent: a repeated claim finds it CANCELLED.
 */
export const handler = sagaTask(
  ClaimShipmentInput,
  async ({ orderId, customerId }): Promise<ClaimShipmentResult> => ({ orderId, ...(await claimShipment(shipmentStore, { orderId, customerId })) }),
);
