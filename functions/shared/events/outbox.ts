import type { EventContract, EventData, EventDetail } from '../../contracts/events/envelope';
import { newId, nowIso } from '../ids';
import { OUTBOX_KIND } from './outbox-kind';

export { OUTBOX_KIND };

/**
 * The transactional outbox: an event is written as an item of the producer's own table in the
 * same transaction as the state change it describes, and the outbox relay publishes it from
 * the table's stream. A state change without its event (or the reverse) cannot happen.
 */
const OUTBOX_RETENTION_SECONDS = 24 * 60 * 60;

export interface OutboxItem {
  pk: string;
  sk: string;
  kind: typeof OUTBOX_KIND;
  source: string;
  detailType: string;
  detail: string;
  createdAt: string;
  /** Removed by TTL after a day: by then the relay has long published it. */
  ttl: number;
}

export interface PendingEvent {
  event: EventContract;
  detail: EventDetail<EventContract>;
}

/** Builds the event through its contract, so a producer cannot emit data its consumers would reject. */
export function domainEvent<E extends EventContract>(event: E, data: EventData<E>, correlationId: string): PendingEvent {
  const metadata = { eventId: newId(), correlationId, occurredAt: nowIso(), version: 1 as const };
  return { event, detail: event.detail.parse({ metadata, data }) };
}

export function outboxItem({ event, detail }: PendingEvent): OutboxItem {
  return {
    pk: `OUTBOX#${detail.metadata.eventId}`,
    sk: 'OUTBOX',
    kind: OUTBOX_KIND,
    source: event.source,
    detailType: event.detailType,
    detail: JSON.stringify(detail),
    createdAt: detail.metadata.occurredAt,
    ttl: Math.floor(Date.parse(detail.metadata.occurredAt) / 1000) + OUTBOX_RETENTION_SECONDS,
  };
}

/** A TransactWriteItems entry (document client form) that records the event in `tableName`. */
export function outboxPut(tableName: string, pending: PendingEvent) {
  return {
    Put: {
      TableName: tableName,
      Item: outboxItem(pending),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
