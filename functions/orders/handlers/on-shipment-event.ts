import type { EventData, EventMetadata } from '../../contracts/events/envelope';
import { ShipmentDelivered, ShipmentDispatched } from '../../contracts/events/shipping';
import { eventConsumer } from '../../shared/events/event-consumer';
import { logger } from '../../shared/observability';
import { orderStore } from '../composition';
import type { Moved } from '../domain/transitions';
import { recordDelivery, recordDispatch } from '../domain/shipment-events';

/** A redelivered event is expected with at-least-once delivery: logged, never an error. */
function reportRepeat({ changed, status }: Moved, orderId: string): void {
  if (!changed) logger.info('Ignored a shipment event the order already reflects', { orderId, status });
}

/**
 * The order becomes SHIPPED and then DELIVERED as its shipment goes. A delivery that overtook
 * its dispatch throws (DeliveryBeforeDispatchError), so Lambda's async retries redeliver it
 * after the dispatch; an impossible move (a shipment of a cancelled order) throws too and ends
 * in the alarmed dead-letter queue, for an operator.
 */
export const handler = eventConsumer([ShipmentDispatched, ShipmentDelivered], {
  ShipmentDispatched: async (data: EventData<typeof ShipmentDispatched>, metadata: EventMetadata) =>
    reportRepeat(await recordDispatch(orderStore, data, metadata.correlationId), data.orderId),
  ShipmentDelivered: async (data: EventData<typeof ShipmentDelivered>, metadata: EventMetadata) =>
    reportRepeat(await recordDelivery(orderStore, data, metadata.correlationId), data.orderId),
});
