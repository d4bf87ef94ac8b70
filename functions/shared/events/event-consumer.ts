import type { EventBridgeEvent } from 'aws-lambda';
import type { EventContract, EventData, EventMetadata } from '../../contracts/events/envelope';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger, metrics } from '../observability';
import { observed } from '../observed';

type Handlers<E extends EventContract> = {
  [K in E as K['detailType']]: (data: EventData<K>, metadata: EventMetadata) => Promise<void>;
};

/**
 * The one way to consume domain events delivered by an EventBridge rule: the event is parsed
 * with its contract and dispatched by detail-type. Nothing is swallowed: a malformed event or a
 * failing handler throws, so Lambda retries and then dead-letters it. Handlers must be
 * idempotent: the same event (same `metadata.eventId`) can arrive more than once.
 */
export function eventConsumer<const E extends readonly EventContract[]>(events: E, handlers: NoInfer<Handlers<E[number]>>) {
  const byType = new Map(events.map((event) => [event.detailType, event]));
  return observed<EventBridgeEvent<string, unknown>, void>().handler(async (event) => {
    const contract = byType.get(event['detail-type']);
    if (!contract) throw new Error(`No handler for ${event.source} ${event['detail-type']}`);
    const detail = contract.detail.parse(event.detail);
    logger.appendKeys({ correlationId: detail.metadata.correlationId, eventId: detail.metadata.eventId });
    logger.info('Consuming event', { detailType: contract.detailType });
    const handle = (handlers as Record<string, (data: unknown, metadata: EventMetadata) => Promise<void>>)[contract.detailType]!;
    await handle(detail.data, detail.metadata);
    metrics.addMetric('EventsConsumed', MetricUnit.Count, 1);
  });
}
