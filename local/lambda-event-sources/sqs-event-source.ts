/**
 * An SQS queue feeding a function, polled as Lambda's pollers do: receive a batch, invoke the
 * function synchronously with it, delete what was processed.
 *
 * - Filtered-out messages are deleted without invoking the function.
 * - On success every message is deleted; with ReportBatchItemFailures all but the reported ones.
 * - On a function error nothing is deleted: the messages come back once the queue's visibility
 *   timeout passes, and the queue's redrive policy moves them to its dead-letter queue after
 *   maxReceiveCount receives (both handled by the local SQS).
 *
 * One poller per mapping, one batch at a time (Lambda runs up to five pollers and scales out).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { LOCAL_CREDENTIALS } from '../dynamodb/local-dynamodb';
import { batchOutcome, invokeSafely } from './batch-response';
import { errorMessage } from './error-message';
import { sqsFilterView } from './filter-criteria';
import type { MappingConfig } from './mapping-config';
import { pause, startPollingLoop, type PollerDeps, type PollingLoop } from './polling-loop';

/**
 * The long poll is never aborted: the server would still hand a message arriving afterwards to
 * the abandoned request, hiding it for a visibility timeout. stop() waits for it instead, so it
 * is kept short.
 */
const LONG_POLL_SECONDS = 1;
const MAX_MESSAGES_PER_RECEIVE = 10;
const MAX_ENTRIES_PER_DELETE = 10;

export interface SqsEventSourceDeps extends PollerDeps {
  readonly sqsEndpoint: string;
}

export function startSqsEventSource(config: MappingConfig, queueUrl: string, deps: SqsEventSourceDeps): PollingLoop {
  const client = new SQSClient({ endpoint: deps.sqsEndpoint, region: deps.region, credentials: LOCAL_CREDENTIALS });
  const log = (line: string): void => deps.log(`[event-sources] ${config.id}: ${line}`);

  const receiveBatch = async (signal: AbortSignal): Promise<Message[]> => {
    const batch: Message[] = [];
    const deadline = Date.now() + config.maximumBatchingWindowMs;
    // Each round adds a message or pauses a poll interval, so the window and the batch size bound it.
    const maxRounds =
      Math.ceil(config.batchSize / MAX_MESSAGES_PER_RECEIVE) + Math.ceil(config.maximumBatchingWindowMs / deps.pollIntervalMs) + 1;
    for (let round = 0; round < maxRounds && batch.length < config.batchSize && !signal.aborted; round++) {
      const { Messages: messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(MAX_MESSAGES_PER_RECEIVE, config.batchSize - batch.length),
          // Only the first receive waits for messages; the others top up the batch within the window.
          WaitTimeSeconds: round === 0 ? LONG_POLL_SECONDS : 0,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      batch.push(...messages);
      const remainingWindow = deadline - Date.now();
      if (batch.length === 0 || remainingWindow <= 0) break;
      if (messages.length === 0) await pause(Math.min(deps.pollIntervalMs, remainingWindow), signal);
    }
    return batch;
  };

  /** Hands messages received while stopping back to the queue at once, as if never received. */
  const releaseMessages = async (messages: readonly Message[]): Promise<void> => {
    for (let start = 0; start < messages.length; start += MAX_ENTRIES_PER_DELETE) {
      await client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages
            .slice(start, start + MAX_ENTRIES_PER_DELETE)
            .map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '', VisibilityTimeout: 0 })),
        }),
      );
    }
  };

  const deleteMessages = async (records: readonly SQSRecord[]): Promise<void> => {
    for (let start = 0; start < records.length; start += MAX_ENTRIES_PER_DELETE) {
      const chunk = records.slice(start, start + MAX_ENTRIES_PER_DELETE);
      const { Failed: failed = [] } = await client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
      for (const failure of failed) log(`could not delete a message: ${failure.Code ?? ''} ${failure.Message ?? ''}`.trim());
    }
  };

  const processBatch = async (messages: readonly Message[]): Promise<void> => {
    const records = messages.map((message) => sqsRecordOf(message, config.eventSourceArn, deps.region));
    const matching = records.filter((record) => config.filter(sqsFilterView(record)));
    if (matching.length < records.length) {
      const kept = new Set(matching);
      await deleteMessages(records.filter((record) => !kept.has(record)));
    }
    if (matching.length === 0) return;

    const result = await invokeSafely(deps.lambda, config.functionName, { Records: matching });
    const outcome = batchOutcome(result, config.reportBatchItemFailures, matching.map((record) => record.messageId));
    switch (outcome.kind) {
      case 'success':
        await deleteMessages(matching);
        return;
      case 'partial': {
        const failed = new Set(outcome.failedIds);
        await deleteMessages(matching.filter((record) => !failed.has(record.messageId)));
        log(`${failed.size} of ${matching.length} message(s) failed; they return after the visibility timeout`);
        return;
      }
      case 'failure':
        log(`${config.functionName} failed on ${matching.length} message(s) (${outcome.reason}); they return after the visibility timeout`);
        return;
    }
  };

  const loop = startPollingLoop(
    async (signal) => {
      const messages = await receiveBatch(signal);
      if (signal.aborted) await releaseMessages(messages);
      else if (messages.length > 0) await processBatch(messages);
      // The long poll was the wait: go straight back to it.
      return 'again';
    },
    { idleMs: deps.pollIntervalMs, onError: (error) => log(`polling ${queueUrl} failed: ${errorMessage(error)}`) },
  );

  return {
    poll: () => loop.poll(),
    stop: async () => {
      await loop.stop();
      client.destroy();
    },
  };
}

/** The record Lambda builds from a received message. */
export function sqsRecordOf(message: Message, queueArn: string, region: string): SQSRecord {
  const system = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: system.ApproximateReceiveCount ?? '1',
    SentTimestamp: system.SentTimestamp ?? String(Date.now()),
    SenderId: system.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    ...(system.SequenceNumber ? { SequenceNumber: system.SequenceNumber } : {}),
    ...(system.MessageGroupId ? { MessageGroupId: system.MessageGroupId } : {}),
    ...(system.MessageDeduplicationId ? { MessageDeduplicationId: system.MessageDeduplicationId } : {}),
    ...(system.AWSTraceHeader ? { AWSTraceHeader: system.AWSTraceHeader } : {}),
    ...(system.DeadLetterQueueSourceArn ? { DeadLetterQueueSourceArn: system.DeadLetterQueueSourceArn } : {}),
  };
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes: lambdaMessageAttributes(message.MessageAttributes ?? {}),
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** SQS's `{ StringValue, BinaryValue, DataType }` become Lambda's camel-cased, base64 form. */
function lambdaMessageAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): SQSMessageAttributes {
  const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      {
        ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
        ...(value.BinaryValue !== undefined ? { binaryValue: base64(value.BinaryValue) } : {}),
        stringListValues: value.StringListValues ?? [],
        binaryListValues: (value.BinaryListValues ?? []).map(base64),
        dataType: value.DataType ?? 'String',
      },
    ]),
  );
}
