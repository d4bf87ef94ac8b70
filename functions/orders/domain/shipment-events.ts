import type { EventData } from '../../contracts/events/envelope';
import type { ShipmentDelivered, ShipmentDispatched } from '../../contracts/events/shipping';
import type { OrderStore } from './orders';
import { moveOrder, type Moved } from './transitions';

/**
 * The order follows its shipment. Idempotent on the order's status (one shipment per order): a
 * redelivered event finds the move made and changes nothing.
 */

/** ShipmentDispatched: CONFIRMED → SHIPPED, publishing OrderShipped with the carrier and tracking number. */
export function recordDispatch(store: OrderStore, data: EventData<typeof ShipmentDispatched>, correlationId: string): Promise<Moved> {
  const { orderId, carrier, trackingNumber } = data;
  return moveOrder(store, orderId, { to: 'SHIPPED', carrier, trackingNumber }, correlationId);
}

/**
 * ShipmentDelivered: SHIPPED → DELIVERED, publishing OrderDelivered. Arriving before its
 * ShipmentDispatched was applied, it fails with DeliveryBeforeDispatchError and is redelivered:
 * it cannot apply the dispatch itself, since OrderShipped needs the carrier and tracking number
 * that only ShipmentDispatched carries.
 */
export function recordDelivery(store: OrderStore, data: EventData<typeof ShipmentDelivered>, correlationId: string): Promise<Moved> {
  return moveOrder(store, data.orderId, { to: 'DELIVERED' }, correlationId);
}
