import type { EventData } from '../../contracts/events/envelope';
import { OrderCancelled, OrderConfirmed } from '../../contracts/events/orders';
import { eventConsumer } from '../../shared/events/event-consumer';
import { logger } from '../../shared/observability';
import { shipmentStore } from '../composition';
import { cancelShipment, prepareShipment } from '../domain/shipping';

/**
 * A shipment per confirmed order, cancelled with its order while still PREPARING. Idempotent on
 * the order id (one shipment per order): a redelivered event finds its work done.
 */
export const handler = eventConsumer([OrderConfirmed, OrderCancelled], {
  OrderConfirmed: async ({ orderId, customerId }: EventData<typeof OrderConfirmed>) => {
    const outcome = await prepareShipment(shipmentStore, { orderId, customerId });
    logger.info('Shipment prepared', { orderId, outcome });
  },
  OrderCancelled: async ({ orderId }: EventData<typeof OrderCancelled>) => {
    const outcome = await cancelShipment(shipmentStore, orderId);
    logger.info('Order cancellation applied to its shipment', { orderId, outcome });
  },
});
