import { lambdaShipmentClaimer } from './adapters/shipment-claim';
import type { ShipmentClaimer } from './domain/order-cancellation';
import { ordersConfig } from './orders-config';

/**
 * Shipping's claim of a shipment, for POST /orders/{orderId}/cancel only: apart from
 * composition.ts because its contract's schemas (contracts/shipment-claim.ts) would otherwise be
 * built at the cold start of every orders function. Only that function has the variable.
 */
export const shipmentClaimer = (): ShipmentClaimer => lambdaShipmentClaimer(ordersConfig.claimShipmentFunction());
