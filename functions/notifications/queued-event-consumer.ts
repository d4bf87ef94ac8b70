import * as z from 'zod';
import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EventContract, EventData, EventMetadata } from '../contracts/events/envelope';
import { logger, metrics } from '../shared/observability';
import { observed } from '../shared/observed';

type Handlers<E extends EventContract> = {
  [K in E as K['detailType']]: (data: EventData<K>, metadata: EventMetadata) => Promise<void>;
};

/** What an EventBridge rule puts on a queue (no input transformer): the whole event. */
const QueuedBusEvent = z.object({ source: z.string(), 'detail-type': z.string(), detail: z.unknown() });

/** The keys each record adds to the log lines written while it is processed. */
const RECORD_LOG_KEYS = ['messageId', 'correlationId', 'eventId'];

/**
 * The queue counterpart of `eventConsumer` (shared/events/event-consumer.ts), for a
 * QueueSubscription: every record's body is parsed as the EventBridge event, its detail with
 * the contract of its detail-type, and dispatched to that type's handler. Records are processed
 * one after another and independently: a record that is malformed, of an unknown event, or whose
 * handler throws is logged and reported in `batchItemFailures` (so SQS redelivers it, and after
 * the queue's maxReceiveCount dead-letters it), while the rest of the batch succeeds. Nothing is
 * dropped silently. Handlers must be idempotent: the same event (same `metadata.eventId`) can
 * arrive more than once.
 */
export function queuedEventConsumer<const E extends readonly EventContract[]>(events: E, handlers: NoInfer<Handlers<E[number]>>) {
  const byType = new Map(events.map((event) => [event.detailType, event]));
  const dispatch = handlers as Record<string, (data: unknown, metadata: EventMetadata) => Promise<void>>;

  async function consume(record: SQSRecord): Promise<void> {
    const event = QueuedBusEvent.parse(JSON.parse(record.body));
    const contract = byType.get(event['detail-type']);
    if (!contract || contract.source !== event.source) throw new Error(`No handler for ${event.source} ${event['detail-type']}`);
    const detail = contract.detail.parse(event.detail);
    logger.appendKeys({ correlationId: detail.metadata.correlationId, eventId: detail.metadata.eventId });
    logger.info('Consuming event', { detailType: contract.detailType });
    await dispatch[contract.detailType]!(detail.data, detail.metadata);
  }

  return observed<SQSEvent, SQSBatchResponse>().handler(async (event) => {
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
