import { afterEach, describe, expect, it } from 'vitest';
import type { Shard, StreamRecord, StreamsClient } from '../../local/dynamodb/streams-client';
import type { MappingConfig } from '../../local/lambda-event-sources/mapping-config';
import type { PollingLoop } from '../../local/lambda-event-sources/polling-loop';
import { startStreamEventSource } from '../../local/lambda-event-sources/stream-event-source';
import type { LambdaInvoker } from '../../local/types';

const STREAM = 'arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/local';

const config: MappingConfig = {
  id: 'stack/Mapping', kind: 'dynamodb-stream', functionName: 'relay', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:relay',
  eventSourceArn: STREAM, enabled: true, batchSize: 10, maximumBatchingWindowMs: 0, reportBatchItemFailures: false, filter: () => true,
  startingPosition: 'TRIM_HORIZON', bisectBatchOnFunctionError: false, maximumRetryAttempts: -1, maximumRecordAgeSeconds: -1, notEmulated: [],
};

const record = (sequenceNumber: string): StreamRecord => ({
  eventID: `e${sequenceNumber}`, eventName: 'INSERT', dynamodb: { Keys: { pk: { S: sequenceNumber } }, SequenceNumber: sequenceNumber },
});

/** A stream whose shards are `shards()` at each DescribeStream; each shard's records come in one page, then `closes` says whether it ends. */
function fakeStream(shards: () => Shard[], pages: Record<string, { records: StreamRecord[]; closes: boolean }>): StreamsClient & { describes: number } {
  const read = new Set<string>();
  const client = {
    describes: 0,
    listShards: async () => {
      client.describes++;
      return shards();
    },
    getShardIterator: async ({ shardId }: { shardId: string }) => shardId,
    getRecords: async (shardId: string) => {
      const page = pages[shardId] ?? { records: [], closes: false };
      const first = !read.has(shardId);
      read.add(shardId);
      return { records: first ? page.records : [], ...(page.closes ? {} : { nextShardIterator: shardId }) };
    },
  };
  return client;
}

function recordingLambda(): LambdaInvoker & { delivered: { at: number; keys: string[] }[] } {
  const lambda = {
    delivered: [] as { at: number; keys: string[] }[],
    invoke: async (_name: string, payload: unknown) => {
      const records = (payload as { Records: { dynamodb: { SequenceNumber: string } }[] }).Records;
      lambda.delivered.push({ at: Date.now(), keys: records.map((each) => each.dynamodb.SequenceNumber) });
      return { ok: true as const, payload: null };
    },
    invokeAsync: () => undefined,
    has: () => true,
  };
  return lambda;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let poller: PollingLoop | undefined;
afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

async function start(streams: StreamsClient, lambda: LambdaInvoker): Promise<void> {
  poller = await startStreamEventSource(config, { lambda, region: 'us-east-1', log: () => undefined, pollIntervalMs: 10, streams, streamArn: STREAM, sendToQueue: async () => undefined });
}

describe('stream event source shards', () => {
  it('does not ask for the shards again every second while its shard is open', async () => {
    const streams = fakeStream(() => [{ ShardId: 'a' }], { a: { records: [record('1')], closes: false } });
    const lambda = recordingLambda();
    await start(streams, lambda);
    await sleep(2_500);
    expect(lambda.delivered.map((batch) => batch.keys)).toEqual([['1']]);
    expect(streams.describes).toBe(1);
  });

  it('looks for the children of a shard as soon as it is read to its end, and reads them after it', async () => {
    let closed = false;
    const streams = fakeStream(
      () => (closed ? [{ ShardId: 'a', SequenceNumberRange: { EndingSequenceNumber: '2' } }, { ShardId: 'b', ParentShardId: 'a' }] : [{ ShardId: 'a' }]),
      { a: { records: [record('1'), record('2')], closes: true }, b: { records: [record('3')], closes: false } },
    );
    const realGetRecords = streams.getRecords;
    streams.getRecords = async (iterator, limit, signal) => {
      const page = await realGetRecords(iterator, limit, signal);
      if (iterator === 'a' && !page.nextShardIterator) closed = true;
      return page;
    };
    const lambda = recordingLambda();
    const started = Date.now();
    await start(streams, lambda);
    for (let waited = 0; lambda.delivered.flatMap((batch) => batch.keys).length < 3 && waited < 3_000; waited += 20) await sleep(20);
    expect(lambda.delivered.flatMap((batch) => batch.keys)).toEqual(['1', '2', '3']);
    // Found at the next poll, not at the next periodic look (a second or more after the start).
    expect(lambda.delivered.at(-1)!.at - started).toBeLessThan(600);
  });

  it('while no shard is open, looks for one every second', async () => {
    let shards: Shard[] = [];
    const streams = fakeStream(() => shards, { c: { records: [record('7')], closes: false } });
    const lambda = recordingLambda();
    await start(streams, lambda);
    shards = [{ ShardId: 'c' }];
    await sleep(1_600);
    expect(lambda.delivered.map((batch) => batch.keys)).toEqual([['7']]);
  });
});
