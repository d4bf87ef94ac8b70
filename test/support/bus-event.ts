import type { EventBridgeEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { EventContract, EventData } from '../../functions/contracts/events/envelope';
import { domainEvent } from '../../functions/shared/events/outbox';

export interface BusEventOptions {
  correlationId?: string;
  /** @default '000000000000' */
  account?: string;
}

/** An event as EventBridge delivers it to a rule's target (or matches it), built through its contract. */
export function busEvent<E extends EventContract>(
  event: E,
  data: EventData<E>,
  { correlationId = 'corr', account = '000000000000' }: BusEventOptions = {},
): EventBridgeEvent<string, unknown> {
  return {
    version: '0', id: randomUUID(), 'detail-type': event.detailType, source: event.source, account,
    time: new Date().toISOString(), region: 'us-east-1', resources: [],
    detail: domainEvent(event, data, correlationId).detail,
  };
}

/** One SQS record, as the event source mapping hands it to the function. */
export function sqsRecord(body: string, messageId: string = randomUUID()): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1', SentTimestamp: `${Date.now()}`, SenderId: 'AIDAEVENTS', ApproximateFirstReceiveTimestamp: `${Date.now()}`,
    },
    messageAttributes: {},
    md5OfBody: 'md5',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:notifications-queue',
    awsRegion: 'us-east-1',
  };
}

export const queued = (event: EventBridgeEvent<string, unknown>, messageId?: string) => sqsRecord(JSON.stringify(event), messageId);
