/**
 * A DynamoDB stream feeding a function, read from DynamoDB Local's Streams API as Lambda's
 * stream pollers do: every shard in sequence-number order, a child shard only once its parent
 * is read to the end, one batch per shard at a time (see stream-batch-delivery.ts for retries).
 *
 * Records that no filter matches are skipped (never delivered, never retried). The starting
 * position applies to the shards that exist when the mapping starts; shards that appear later
 * are read from their beginning. ParallelizationFactor is not emulated: a shard is processed
 * serially, which keeps the order any factor would keep per partition key.
 */
import { type Shard, type StreamsClient, StreamsApiError } from '../dynamodb/streams-client';
import { invokeSafely } from './batch-response';
import { errorMessage } from './error-message';
import { eventSourceKindOf, type MappingConfig } from './mapping-config';
import { startPollingLoop, type IterationOutcome, type PollerDeps, type PollingLoop } from './polling-loop';
import { deliverStreamBatch, type GiveUp, type PendingStreamRecord } from './stream-batch-delivery';
import { lambdaStreamRecordOf, onFailureRecordOf, type LambdaStreamRecord } from './stream-records';

/** GetRecords' own maximum. */
const GET_RECORDS_LIMIT = 1000;
/**
 * How often new shards are looked for while a shard is open. A shard appears when another closes
 * (the closed one's children), and a shard read to its end sends the poller looking at once, so
 * this is only a safety net: DescribeStream every second per mapping was a sixth of an idle
 * runtime's requests to DynamoDB Local.
 */
const SHARD_REFRESH_MS = 10_000;
/** How often while no shard is open: the next shard is then what the mapping waits for. */
const SHARD_SEARCH_MS = 1000;
/**
 * Polls of a stream with nothing new grow from the poll interval to this many of them. The
 * runtime has the poller look at once when a function that may write the table ends (see
 * event-source-mappings.ts), so the periodic poll is only for writes from outside any function
 * (the ops CLI, a test's client): read within a second at the default 200 ms interval.
 */
const IDLE_POLL_INTERVALS = 5;
/**
 * Asked to look again, a poller waits this part of the poll interval after its last poll began:
 * under load, the ends of many invocations make one GetRecords, and its records one batch.
 */
const SPACING_PER_INTERVAL = 0.5;

export interface StreamEventSourceDeps extends PollerDeps {
  readonly streams: StreamsClient;
  /** The ARN DynamoDB Local gave the stream (the mapping's eventSourceArn is the template's). */
  readonly streamArn: string;
  sendToQueue(queueArn: string, body: string): Promise<void>;
}

interface ShardState {
  readonly shardId: string;
  readonly parentShardId?: string;
  /** Where to start when there is no checkpoint yet. */
  start: 'TRIM_HORIZON' | 'LATEST';
  iterator?: string;
  /** The last sequence number settled (processed or given up on). */
  checkpoint?: string;
  /** Read to the end of a closed shard. */
  exhausted: boolean;
  /** Read, matching the filters, not yet settled. */
  pending: PendingStreamRecord[];
}

const isDone = (shard: ShardState): boolean => shard.exhausted && shard.pending.length === 0;

/** The mapping's shards and what it does with them each poll: find new shards, read, deliver. */
class StreamShards {
  private readonly shards = new Map<string, ShardState>();
  private nextRefresh = Date.now() + SHARD_SEARCH_MS;

  constructor(
    private readonly config: MappingConfig,
    private readonly deps: StreamEventSourceDeps,
  ) {}

  log(line: string): void {
    this.deps.log(`[event-sources] ${this.config.id}: ${line}`);
  }

  private track(shard: Shard, start: ShardState['start']): ShardState {
    const state: ShardState = {
      shardId: shard.ShardId,
      ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
      start,
      exhausted: false,
      pending: [],
    };
    this.shards.set(shard.ShardId, state);
    return state;
  }

  /** The starting position only concerns the shards that exist now. */
  async takeStartingPositions(): Promise<void> {
    const { streams, streamArn } = this.deps;
    const { startingPosition } = this.config;
    for (const shard of await streams.listShards(streamArn)) {
      const state = this.track(shard, startingPosition);
      if (startingPosition !== 'LATEST') continue;
      if (shard.SequenceNumberRange?.EndingSequenceNumber) state.exhausted = true;
      else state.iterator = await streams.getShardIterator({ streamArn, shardId: shard.ShardId, type: 'LATEST' });
    }
    this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    const anyOpen = [...this.shards.values()].some((shard) => !shard.exhausted);
    this.nextRefresh = Date.now() + (anyOpen ? SHARD_REFRESH_MS : SHARD_SEARCH_MS);
  }

  private async refreshShards(signal: AbortSignal): Promise<void> {
    const listed = await this.deps.streams.listShards(this.deps.streamArn, signal);
    const current = new Set(listed.map((shard) => shard.ShardId));
    for (const shard of listed) if (!this.shards.has(shard.ShardId)) this.track(shard, 'TRIM_HORIZON');
    // Shards trimmed from the stream are forgotten once read, so a long run does not pile them up.
    for (const [shardId, state] of this.shards) if (!current.has(shardId) && isDone(state)) this.shards.delete(shardId);
    this.scheduleRefresh();
  }

  /**
   * Reads the next page of a shard unless a batch is already waiting: `again` when there may be
   * more right away (a full page, or the shard ended and its children are to be found), `found`
   * when records came, `idle` otherwise.
   */
  private async readShard(shard: ShardState, signal: AbortSignal, restarted = false): Promise<IterationOutcome> {
    const { streams, streamArn } = this.deps;
    if (shard.exhausted || shard.pending.length >= this.config.batchSize) return 'idle';
    if (!shard.iterator) {
      // (Re)positioning after the checkpoint re-reads what was pending: drop it to avoid duplicates.
      shard.pending = [];
      shard.iterator = await streams.getShardIterator(
        shard.checkpoint
          ? { streamArn, shardId: shard.shardId, type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: shard.checkpoint }
          : { streamArn, shardId: shard.shardId, type: shard.start },
        signal,
      );
    }
    let page;
    try {
      page = await streams.getRecords(shard.iterator, GET_RECORDS_LIMIT, signal);
    } catch (error) {
      if (error instanceof StreamsApiError && error.code === 'ExpiredIteratorException') {
        delete shard.iterator;
        return 'found';
      }
      if (error instanceof StreamsApiError && error.code === 'TrimmedDataAccessException') {
        // DynamoDB Local numbers records across all its streams, so an iterator taken while a
        // shard was empty points before the shard's first record, which it then calls trimmed.
        // Nothing was read from the shard yet: its oldest record is where to start. With a
        // checkpoint, records really expired (24 hours) and those after it are lost.
        if (shard.checkpoint) this.log(`records of ${shard.shardId} after ${shard.checkpoint} expired unread; reading from the oldest left`);
        delete shard.iterator;
        delete shard.checkpoint;
        shard.start = 'TRIM_HORIZON';
        return restarted ? 'idle' : this.readShard(shard, signal, true);
      }
      throw error;
    }
    const readAt = Date.now();
    for (const record of page.records) {
      const lambdaRecord = lambdaStreamRecordOf(record, this.config.eventSourceArn, this.deps.region);
      if (this.config.filter(lambdaRecord)) shard.pending.push({ record: lambdaRecord, readAt });
    }
    if (page.nextShardIterator) shard.iterator = page.nextShardIterator;
    else {
      delete shard.iterator;
      shard.exhausted = true;
      // Its children continue it: look for them now.
      this.nextRefresh = Date.now();
      return 'again';
    }
    if (page.records.length >= GET_RECORDS_LIMIT) return 'again';
    return page.records.length > 0 ? 'found' : 'idle';
  }

  private async giveUp(shardId: string, records: readonly LambdaStreamRecord[], failure: GiveUp): Promise<void> {
    const { config } = this;
    const span = `${records.length} record(s) of ${shardId} (${records[0]?.dynamodb.SequenceNumber}..${records.at(-1)?.dynamodb.SequenceNumber})`;
    const destination = config.onFailureDestination;
    if (!destination) {
      this.log(`discarded ${span}: ${failure.condition}`);
      return;
    }
    if (eventSourceKindOf(destination) !== 'sqs') {
      this.log(`discarded ${span}: ${failure.condition}; on-failure destination ${destination} is not an SQS queue, which is all the local runtime delivers to`);
      return;
    }
    const body = onFailureRecordOf(records, {
      functionArn: config.functionArn,
      shardId,
      streamArn: config.eventSourceArn,
      ...failure,
    });
    try {
      await this.deps.sendToQueue(destination, JSON.stringify(body));
      this.log(`sent ${span} to ${destination}: ${failure.condition}`);
    } catch (error) {
      this.log(`discarded ${span}: ${failure.condition}; sending to ${destination} failed: ${errorMessage(error)}`);
    }
  }

  /** Delivers the shard's pending records batch by batch. Resolves whether a batch was settled. */
  private async deliverShard(shard: ShardState, signal: AbortSignal): Promise<boolean> {
    const { config, deps } = this;
    let delivered = false;
    while (shard.pending.length > 0 && !signal.aborted) {
      const first = shard.pending[0];
      const full = shard.pending.length >= config.batchSize;
      const windowOver = first !== undefined && Date.now() - first.readAt >= config.maximumBatchingWindowMs;
      if (!full && !windowOver && !shard.exhausted) break;
      const batch = shard.pending.slice(0, config.batchSize);
      const settled = await deliverStreamBatch(batch, {
        config,
        signal,
        retryBaseDelayMs: deps.pollIntervalMs,
        invoke: async (records) => {
          const result = await invokeSafely(deps.lambda, config.functionName, { Records: records });
          if (!result.ok) {
            this.log(`${config.functionName} failed on ${records.length} record(s) of ${shard.shardId} (${result.error.errorType}: ${result.error.errorMessage})`);
          }
          return result;
        },
        giveUp: (records, failure) => this.giveUp(shard.shardId, records, failure),
      });
      if (!settled) break;
      shard.pending.splice(0, batch.length);
      shard.checkpoint = batch[batch.length - 1]?.record.dynamodb.SequenceNumber ?? shard.checkpoint;
      delivered = true;
    }
    return delivered;
  }

  /**
   * One round over the shards: `again` when a shard has more to read at once, `found` when
   * anything was read or delivered or a batch waits for its window, `idle` otherwise.
   */
  async poll(signal: AbortSignal): Promise<IterationOutcome> {
    if (Date.now() >= this.nextRefresh) {
      // Set before the call too, so a DescribeStream that keeps failing is not retried every poll.
      this.nextRefresh = Date.now() + SHARD_SEARCH_MS;
      await this.refreshShards(signal);
    }
    let outcome: IterationOutcome = 'idle';
    for (const shard of this.shards.values()) {
      if (signal.aborted) break;
      if (isDone(shard)) continue;
      // A child continues its parent's keys: it waits until the parent is read to the end.
      const parent = shard.parentShardId ? this.shards.get(shard.parentShardId) : undefined;
      if (parent && !isDone(parent)) continue;
      const read = await this.readShard(shard, signal);
      const delivered = await this.deliverShard(shard, signal);
      if (read === 'again') outcome = 'again';
      else if (outcome === 'idle' && (read === 'found' || delivered || shard.pending.length > 0)) outcome = 'found';
    }
    return outcome;
  }
}

/** Resolves once the starting positions are taken, so records written afterwards are seen even with LATEST. */
export async function startStreamEventSource(config: MappingConfig, deps: StreamEventSourceDeps): Promise<PollingLoop> {
  const shards = new StreamShards(config, deps);
  await shards.takeStartingPositions();
  return startPollingLoop((signal) => shards.poll(signal), {
    idleMs: deps.pollIntervalMs,
    maxIdleMs: deps.pollIntervalMs * IDLE_POLL_INTERVALS,
    minSpacingMs: deps.pollIntervalMs * SPACING_PER_INTERVAL,
    onError: (error) => shards.log(`reading ${deps.streamArn} failed: ${errorMessage(error)}`),
  });
}
