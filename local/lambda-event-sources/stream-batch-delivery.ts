/**
 * Delivers one batch of a stream shard to a function with Lambda's error handling for stream
 * sources, blocking the shard (records stay in order) until every record of the batch has
 * either been processed or been given up on:
 *
 * - a function error retries the batch, split in two halves first when BisectBatchOnFunctionError
 *   is set (each half carries on with the retries already spent);
 * - with ReportBatchItemFailures, a partial failure retries from the lowest reported sequence
 *   number: the records before it count as processed;
 * - records are given up on once MaximumRetryAttempts retries have failed, or once they are older
 *   than MaximumRecordAgeInSeconds (-1: the stream's 24-hour retention), and their position is
 *   sent to the on-failure destination.
 *
 * A record's age counts from when the poller read it: DynamoDB Local rounds
 * ApproximateCreationDateTime down to the minute.
 */
import type { InvokeResult } from '../types';
import { batchOutcome, type BatchOutcome } from './batch-response';
import type { MappingConfig } from './mapping-config';
import { pause } from './polling-loop';
import type { FailureCondition, LambdaStreamRecord } from './stream-records';

/** DynamoDB streams keep records 24 hours: "retry until the record expires" ends there. */
const STREAM_RETENTION_SECONDS = 24 * 60 * 60;
const MAX_RETRY_DELAY_MS = 5_000;

export interface PendingStreamRecord {
  readonly record: LambdaStreamRecord;
  /** Epoch ms at which the poller read it. */
  readonly readAt: number;
}

export interface StreamDeliveryContext {
  readonly config: Pick<
    MappingConfig,
    'reportBatchItemFailures' | 'bisectBatchOnFunctionError' | 'maximumRetryAttempts' | 'maximumRecordAgeSeconds'
  >;
  readonly signal: AbortSignal;
  /** Base of the exponential pause between retries. */
  readonly retryBaseDelayMs: number;
  invoke(records: readonly LambdaStreamRecord[]): Promise<InvokeResult>;
  giveUp(records: readonly LambdaStreamRecord[], failure: GiveUp): Promise<void>;
  now?(): number;
}

export interface GiveUp {
  readonly condition: FailureCondition;
  readonly approximateInvokeCount: number;
  readonly lastOutcome?: BatchOutcome;
}

interface Attempt {
  readonly records: readonly PendingStreamRecord[];
  /** Failed invocations these records have been through. */
  readonly failures: number;
  readonly lastOutcome?: BatchOutcome;
}

/** Resolves true once the batch is settled, false when stopped before that. */
export async function deliverStreamBatch(batch: readonly PendingStreamRecord[], context: StreamDeliveryContext): Promise<boolean> {
  const { config, signal } = context;
  const now = context.now ?? Date.now;
  const maxAgeMs = (config.maximumRecordAgeSeconds === -1 ? STREAM_RETENTION_SECONDS : config.maximumRecordAgeSeconds) * 1000;
  // Front first: halves of a bisected batch go back in front, in stream order.
  const work: Attempt[] = [{ records: batch, failures: 0 }];

  while (work.length > 0) {
    if (signal.aborted) return false;
    const attempt = work.shift();
    if (!attempt) break;

    const expired = attempt.records.filter((pending) => now() - pending.readAt > maxAgeMs);
    if (expired.length > 0) {
      await context.giveUp(recordsOf(expired), {
        condition: 'RecordAgeExceeded',
        approximateInvokeCount: attempt.failures,
        ...(attempt.lastOutcome ? { lastOutcome: attempt.lastOutcome } : {}),
      });
    }
    const expiredSet = new Set(expired);
    const records = attempt.records.filter((pending) => !expiredSet.has(pending));
    if (records.length === 0) continue;

    const result = await context.invoke(recordsOf(records));
    const outcome = batchOutcome(
      result,
      config.reportBatchItemFailures,
      records.map((pending) => pending.record.dynamodb.SequenceNumber),
    );
    if (outcome.kind === 'success') continue;

    const remaining = outcome.kind === 'partial' ? fromLowestFailure(records, outcome.failedIds) : records;
    const failures = attempt.failures + 1;
    if (config.maximumRetryAttempts !== -1 && attempt.failures >= config.maximumRetryAttempts) {
      await context.giveUp(recordsOf(remaining), {
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: failures,
        lastOutcome: outcome,
      });
      continue;
    }

    await pause(Math.min(context.retryBaseDelayMs * 2 ** attempt.failures, MAX_RETRY_DELAY_MS), signal);
    if (outcome.kind === 'failure' && config.bisectBatchOnFunctionError && remaining.length > 1) {
      const half = Math.ceil(remaining.length / 2);
      work.unshift(
        { records: remaining.slice(0, half), failures, lastOutcome: outcome },
        { records: remaining.slice(half), failures, lastOutcome: outcome },
      );
    } else {
      work.unshift({ records: remaining, failures, lastOutcome: outcome });
    }
  }
  return true;
}

/** Lambda checkpoints before the lowest sequence number reported, and retries from there. */
function fromLowestFailure(records: readonly PendingStreamRecord[], failedIds: readonly string[]): readonly PendingStreamRecord[] {
  const failed = new Set(failedIds);
  const index = records.findIndex((pending) => failed.has(pending.record.dynamodb.SequenceNumber));
  return index === -1 ? records : records.slice(index);
}

function recordsOf(pending: readonly PendingStreamRecord[]): LambdaStreamRecord[] {
  return pending.map((entry) => entry.record);
}
