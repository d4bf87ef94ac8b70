import type { EventBridgeEvent } from 'aws-lambda';
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
