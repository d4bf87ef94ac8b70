import * as z from 'zod';
import type { EventBridgeEvent, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventContract, EventData, EventMetadata } from '../../contracts/events/envelope';
import { logger, metrics } from '../observability';
import { withObservability } from '../middleware-stack';

/** A handler per detail-type of the events consumed, each given that event's typed data. */
type Handlers<E extends EventContract> = {
  [K in E as K['detailType']]: (data: EventData<K>, metadata: EventMetadata) => Promise<void>;
};

/** What EventBridge delivers, to a rule's target or (no input transformer) in a queue message's body. */
const BusEvent = z.object({ source: z.string(), 'detail-type': z.string(), detail: z.unknown() });
type BusEvent = z.infer<typeof BusEvent>;

/**
 * The one dispatch of delivered events, however they arrive: the event is matched to its
 * contract by source and detail-type, its detail parsed with that contract, and handed to that
 * type's handler. An unknown or malformed event throws, as a failing handler does.
 */
function dispatcher<const E extends readonly EventContract[]>(events: E, handlers: Handlers<E[number]>) {
  const byType = new Map(events.map((event) => [event.detailType, event]));
  const dispatch = handlers as Record<string, (data: unknown, metadata: EventMetadata) => Promise<void>>;
  return async (event: BusEvent): Promise<void> => {
    const contract = byType.get(event['detail-type']);
    if (!contract || contract.source !== event.source) throw new Error(`No handler for ${event.source} ${event['detail-type']}`);
    const detail = contract.detail.parse(event.detail);
    logger.appendKeys({ correlationId: detail.metadata.correlationId, eventId: detail.metadata.eventId });
    logger.info('Consuming event', { detailType: contract.detailType });
    await dispatch[contract.detailType]!(detail.data, detail.metadata);
  };
}

/**
 * A consumer of domain events delivered by an EventBridge rule (EventSubscription). Nothing is
 * swallowed: a malformed event or a failing handler throws, so Lambda retries and then
 * dead-letters it. Handlers must be idempotent: the same event (same `metadata.eventId`) can
 * arrive more than once.
 */
export function eventConsumer<const E extends readonly EventContract[]>(events: E, handlers: NoInfer<Handlers<E[number]>>) {
  const dispatch = dispatcher(events, handlers);
  return withObservability<EventBridgeEvent<string, unknown>, void>().handler(async (event) => {
    await dispatch(event);
    metrics.addMetric('EventsConsumed', MetricUnit.Count, 1);
  });
}

/** The keys each record adds to the log lines written while it is processed. */
const RECORD_LOG_KEYS = ['messageId', 'correlationId', 'eventId'];

/**
 * The same consumer for events an EventBridge rule puts on a queue (QueueSubscription): every
 * record's body is the whole event, dispatched as above. Records are processed one after another
 * and independently: a record that is malformed, of an unknown event, or whose handler throws is
 * logged and reported in `batchItemFailures` (so SQS redelivers it, and after the queue's
 * maxReceiveCount dead-letters it), while the rest of the batch succeeds. Nothing is dropped
 * silently. Handlers must be idempotent, as above.
 */
export function queuedEventConsumer<const E extends readonly EventContract[]>(events: E, handlers: NoInfer<Handlers<E[number]>>) {
  const dispatch = dispatcher(events, handlers);
  const consume = (record: SQSRecord) => dispatch(BusEvent.parse(JSON.parse(record.body)));

  return withObservability<SQSEvent, SQSBatchResponse>().handler(async (event) => {
    const batchItemFailures: SQSBatchItemFailure[] = [];
    // One at a time: records of one user touch the same counter, and would only conflict in parallel.
    for (const record of event.Records) {
      logger.appendKeys({ messageId: record.messageId });
      try {
        await consume(record);
        metrics.addMetric('EventsConsumed', MetricUnit.Count, 1);
      } catch (error) {
        logger.error('Could not consume a queued event; it will be redelivered', {
          receiveCount: record.attributes.ApproximateReceiveCount,
          error: error instanceof Error ? error : String(error),
        });
        metrics.addMetric('EventsFailed', MetricUnit.Count, 1);
        batchItemFailures.push({ itemIdentifier: record.messageId });
      } finally {
        logger.removeKeys(RECORD_LOG_KEYS);
      }
    }
    return { batchItemFailures };
  });
}
