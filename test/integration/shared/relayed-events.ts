/**
 * The events a context's outbox relay publishes, read from its table's stream as the relay's
 * mapping passes them: inserted outbox records, and items that carry their own event, inserted or
 * changed (a reservation, a payment: see OutboxRelay's eventItems and eventItemChanges). Each
 * record is one publication, in the order written, so an event written twice shows up twice, as
 * it would on the bus.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { OUTBOX_KIND, outboxEntries, RELAYED_ATTRIBUTE, type OutboxEntry } from '../../../functions/shared/events/outbox';
import { createStreamsClient, type StreamRecord } from '../../../local/dynamodb/streams-client';
import { streamArnOf } from '../../../local/dynamodb/tables';
import { dynamoEndpoint } from '../../support/dynamodb';

const marked = (record: StreamRecord, attribute: string) => (record.dynamodb.NewImage?.[attribute] as { S?: string } | undefined)?.S === OUTBOX_KIND;

const relayed = (record: StreamRecord) =>
  (record.eventName === 'INSERT' && marked(record, 'kind')) || (record.eventName !== 'REMOVE' && marked(record, RELAYED_ATTRIBUTE));

export async function relayedEvents(tableName: string): Promise<OutboxEntry[]> {
  const streams = createStreamsClient(dynamoEndpoint());
  const streamArn = await streamArnOf(tableName, dynamoEndpoint());
  const images: Record<string, unknown>[] = [];
  for (const shard of await streams.listShards(streamArn)) {
    let iterator: string | undefined = await streams.getShardIterator({ streamArn, shardId: shard.ShardId, type: 'TRIM_HORIZON' });
    while (iterator) {
      const { records, nextShardIterator } = await streams.getRecords(iterator, 1000);
      images.push(...records.filter(relayed).map(({ dynamodb }) => unmarshall(dynamodb.NewImage as Record<string, AttributeValue>)));
      // An open shard always answers with a next iterator: an empty read is the end of what is written.
      iterator = records.length === 0 ? undefined : nextShardIterator;
    }
  }
  return images.flatMap((image) => outboxEntries(image));
}
