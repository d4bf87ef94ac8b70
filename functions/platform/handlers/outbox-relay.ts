import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { eventBridgeClient } from '../../shared/aws-clients';
import { readConfig } from '../../shared/config';
import { ENV } from '../../shared/environment';
import { logger, metrics } from '../../shared/observability';
import { observed } from '../../shared/observed';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';

const config = readConfig({ [ENV.eventBusName]: z.string().min(1) });

// PutEvents takes at most 10 entries per call.
const PUT_EVENTS_LIMIT = 10;

function entryOf(record: DynamoDBRecord): PutEventsRequestEntry {
  const image = record.dynamodb?.NewImage;
  const source = image?.source?.S;
  const detailType = image?.detailType?.S;
  const detail = image?.detail?.S;
  if (!source || !detailType || !detail) {
    throw new Error(`Outbox record ${record.dynamodb?.SequenceNumber} lacks source, detailType or detail`);
  }
  return { EventBusName: config[ENV.eventBusName], Source: source, DetailType: detailType, Detail: detail };
}

/**
 * Publishes outbox records in stream order. On the first failure it reports that record and
 * stops, so Lambda retries from there (bisecting, then the on-failure queue); records before
 * it may be published twice, which consumers absorb by keying on the event id.
 */
export const handler = observed<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  const records = event.Records.filter((record) => record.eventName === 'INSERT');
  for (let start = 0; start < records.length; start += PUT_EVENTS_LIMIT) {
    const chunk = records.slice(start, start + PUT_EVENTS_LIMIT);
    const failed = await publish(chunk);
    if (failed !== undefined) {
      return { batchItemFailures: [{ itemIdentifier: chunk[failed]!.dynamodb!.SequenceNumber! }] };
    }
    metrics.addMetric('EventsRelayed', MetricUnit.Count, chunk.length);
  }
  return { batchItemFailures: [] };
});

/** The index of the first record that was not published, if any. */
async function publish(chunk: DynamoDBRecord[]): Promise<number | undefined> {
  try {
    const result = await eventBridgeClient().send(new PutEventsCommand({ Entries: chunk.map(entryOf) }));
    if (!result.FailedEntryCount) return undefined;
    const index = (result.Entries ?? []).findIndex((entry) => entry.ErrorCode);
    logger.warn('PutEvents rejected entries', { failed: result.FailedEntryCount, first: result.Entries?.[index] });
    return Math.max(index, 0);
  } catch (error) {
    logger.error('PutEvents failed', { error: error as Error });
    return 0;
  }
}
