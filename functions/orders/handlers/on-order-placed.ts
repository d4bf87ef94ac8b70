import { OrderPlaced } from '../../contracts/events/orders';
import type { EventData, EventMetadata } from '../../contracts/events/envelope';
import { eventConsumer } from '../../shared/events/event-consumer';
import { logger } from '../../shared/observability';
import { orderSaga, orderStore } from '../composition';
import { startPlacedOrderSaga } from '../domain/saga-start';

const deps = { store: orderStore, saga: orderSaga() };

/**
 * Starts the order saga of every stored order, from its OrderPlaced event (see saga-start.ts).
 * A redelivery is no error: the execution name (= orderId) is taken, or the order has settled.
 * A failure throws, so the event is retried and then dead-lettered, for an operator.
 */
export const handler = eventConsumer([OrderPlaced], {
  OrderPlaced: async ({ orderId }: EventData<typeof OrderPlaced>, { correlationId }: EventMetadata) => {
    const outcome = await startPlacedOrderSaga(deps, orderId, correlationId);
    logger.info('OrderPlaced handled', { orderId, outcome });
  },
});
