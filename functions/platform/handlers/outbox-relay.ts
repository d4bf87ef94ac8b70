import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { sdkClient } from '../../shared/aws-clients';
import { sharedConfig } from '../../shared/environment';
import { OUTBOX_KIND, outboxEntries, RELAYED_ATTRIBUTE } from '../../shared/events/outbox';
import { logger, metrics } from '../../shared/observability';
import { withObservability } from '../../shared/middleware-stack';
import { MetricUnit } from '@aws-lambda-powertools/metrics';

const eventBusName = sharedConfig.eventBusName();
const eventBridgeClient = /* @__PURE__ */ sdkClient(EventBridgeClient, {});

// PutEvents takes at most 10 entries per call.
const PUT_EVENTS_LIMIT = 10;

/** The events of one outbox record: one, or several when a transaction caused several (see outboxPuts). */
function entriesOf(record: DynamoDBRecord): PutEventsRequestEntry[] {
  const image = record.dynamodb?.NewImage;
  const stored = {
    source: image?.source?.S, detailType: image?.detailType?.S, detail: image?.detail?.S, entries: image?.entries?.S,
    traceHeader: image?.traceHeader?.S,
  };
  return outboxEntries(stored).map(({ source, detailType, detail, traceHeader }) => ({
    EventBusName: eventBusName, Source: source, DetailType: detailType, Detail: detail,
    // The trace of the request that caused the event, not the relay's own (see OutboxEntry).
    ...(traceHeader === undefined ? {} : { TraceHeader: traceHeader }),
  }));
}

/**
 * An inserted record, or an item that carries its own event changed with a new one (a payment
 * settled: see RELAYED_ATTRIBUTE); the stream's filter passes no other change.
 */
const carriesNewEvent = (record: DynamoDBRecord): boolean =>
  record.eventName === 'INSERT' || (record.eventName === 'MODIFY' && record.dynamodb?.NewImage?.[RELAYED_ATTRIBUTE]?.S === OUTBOX_KIND);

interface Pending {
  record: DynamoDBRecord;
  entry: PutEventsRequestEntry;
}

/** Every event of the records, in stream order, up to the first record that cannot be read (if any). */
function collect(records: DynamoDBRecord[]): { pending: Pending[]; unreadable?: DynamoDBRecord } {
  const pending: Pending[] = [];
  for (const record of records) {
    try {
      pending.push(...entriesOf(record).map((entry) => ({ record, entry })));
    } catch (error) {
      logger.error('Unreadable outbox record', { error: error as Error, sequenceNumber: record.dynamodb?.SequenceNumber });
      return { pending, unreadable: record };
    }
  }
  return { pending };
}

const failure = (record: DynamoDBRecord): DynamoDBBatchResponse => ({
  batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }],
});

/**
 * Publishes the events of outbox records in stream order. On the first failure it reports the
 * record of that event and stops, so Lambda retries from there (bisecting, then the on-failure
 * queue); events before it may be published twice (all of a record's events are, when only its
 * later ones failed), which consumers absorb by keying on the event id.
 */
export const handler = withObservability<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  const { pending, unreadable } = collect(event.Records.filter(carriesNewEvent));
  for (let start = 0; start < pending.length; start += PUT_EVENTS_LIMIT) {
    const chunk = pending.slice(start, start + PUT_EVENTS_LIMIT);
    const failed = await publish(chunk.map(({ entry }) => entry));
    if (failed !== undefined) return failure(chunk[failed]!.record);
    metrics.addMetric('EventsRelayed', MetricUnit.Count, chunk.length);
  }
  return unreadable ? failure(unreadable) : { batchItemFailures: [] };
});

/** The index of the first entry that was not published, if any. */
async function publish(entries: PutEventsRequestEntry[]): Promise<number | undefined> {
  try {
    const result = await eventBridgeClient().send(new PutEventsCommand({ Entries: entries }));
    if (!result.FailedEntryCount) return undefined;
    const index = (result.Entries ?? []).findIndex((entry) => entry.ErrorCode);
    logger.warn('PutEvents rejected entries', { failed: result.FailedEntryCount, first: result.Entries?.[index] });
    return Math.max(index, 0);
  } catch (error) {
    logger.error('PutEvents failed', { error: error as Error });
    return 0;
  }
}
