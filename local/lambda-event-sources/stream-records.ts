/**
 * The JSON a function and an on-failure destination receive from a DynamoDB stream mapping.
 */
import { randomUUID } from 'node:crypto';
import type { StreamRecord } from '../dynamodb/streams-client';
import type { BatchOutcome } from './batch-response';

/** A stream record as Lambda hands it to the function (`event.Records[]`). */
export interface LambdaStreamRecord {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventVersion: string;
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: StreamRecord['dynamodb'];
  /** The stream's ARN as the app knows it (the template's StreamArn), not DynamoDB Local's. */
  readonly eventSourceARN: string;
  readonly userIdentity?: StreamRecord['userIdentity'];
}

export function lambdaStreamRecordOf(record: StreamRecord, eventSourceArn: string, region: string): LambdaStreamRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    // DynamoDB Local says `ddblocal`; functions expect the app's region.
    awsRegion: region,
    dynamodb: record.dynamodb,
    eventSourceARN: eventSourceArn,
    ...(record.userIdentity ? { userIdentity: record.userIdentity } : {}),
  };
}

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface OnFailureContext {
  readonly functionArn: string;
  readonly shardId: string;
  readonly streamArn: string;
  readonly condition: FailureCondition;
  readonly approximateInvokeCount: number;
  /** The last invocation's outcome, when there was one. */
  readonly lastOutcome?: BatchOutcome;
}

/**
 * What Lambda sends to a stream mapping's on-failure destination for records it gives up on:
 * where they are in the stream, not the records themselves.
 */
export function onFailureRecordOf(records: readonly LambdaStreamRecord[], context: OnFailureContext): Record<string, unknown> {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) throw new Error('an on-failure record describes at least one stream record');
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: context.functionArn,
      condition: context.condition,
      approximateInvokeCount: context.approximateInvokeCount,
    },
    ...(context.lastOutcome
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            ...(context.lastOutcome.kind === 'failure' && context.lastOutcome.functionError
              ? { functionError: context.lastOutcome.functionError }
              : {}),
          },
        }
      : {}),
    version: '1.0',
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId: context.shardId,
      startSequenceNumber: first.dynamodb.SequenceNumber,
      endSequenceNumber: last.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: arrivalOf(first),
      approximateArrivalOfLastRecord: arrivalOf(last),
      batchSize: records.length,
      streamArn: first.eventSourceARN,
    },
  };
}

/** `2019-11-14T00:13:19Z`, as Lambda writes it. */
function arrivalOf(record: LambdaStreamRecord): string {
  const seconds = record.dynamodb.ApproximateCreationDateTime ?? Date.now() / 1000;
  return new Date(Math.floor(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
