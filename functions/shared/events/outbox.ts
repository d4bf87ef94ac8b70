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

/**
 * An outbox record carrying several events of one transaction (see outboxPuts), published by the
 * relay as one event each, in this order.
 */
export interface OutboxBatchItem {
  pk: string;
  sk: string;
  kind: typeof OUTBOX_KIND;
  /** JSON: an array of {@link OutboxEntry}. */
  entries: string;
  createdAt: string;
  ttl: number;
}

/** One event as the relay hands it to PutEvents. */
export interface OutboxEntry {
  source: string;
  detailType: string;
  detail: string;
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

const entryOf = ({ event, detail }: PendingEvent): OutboxEntry => ({
  source: event.source, detailType: event.detailType, detail: JSON.stringify(detail),
});

/** Several events in one record, keyed on the first one's id (unique, like every event id). */
export function outboxBatchItem(events: readonly [PendingEvent, ...PendingEvent[]]): OutboxBatchItem {
  const { metadata } = events[0].detail;
  return {
    pk: `OUTBOX#${metadata.eventId}`,
    sk: 'OUTBOX',
    kind: OUTBOX_KIND,
    entries: JSON.stringify(events.map(entryOf)),
    createdAt: metadata.occurredAt,
    ttl: Math.floor(Date.parse(metadata.occurredAt) / 1000) + OUTBOX_RETENTION_SECONDS,
  };
}

/**
 * The TransactWriteItems entries (at most one) that record `events` in `tableName`: none for no
 * event, the event's own record for one, and for several a single record carrying them all.
 * DynamoDB allows 100 items per transaction, so a write that causes one event per line of an
 * order (StockLow) must not spend one item per event; the relay publishes each event of the
 * record, so none is lost and the state change and its events still commit together.
 */
export function outboxPuts(tableName: string, events: readonly PendingEvent[]) {
  const [first, ...rest] = events;
  if (first === undefined) return [];
  if (rest.length === 0) return [outboxPut(tableName, first)];
  return [{ Put: { TableName: tableName, Item: outboxBatchItem([first, ...rest]), ConditionExpression: 'attribute_not_exists(pk)' } }];
}

/** The events of an outbox item as stored (either form), in the order they are published. */
export function outboxEntries(item: { source?: unknown; detailType?: unknown; detail?: unknown; entries?: unknown }): OutboxEntry[] {
  if (typeof item.entries === 'string') return (JSON.parse(item.entries) as unknown[]).map(checkedEntry);
  return [checkedEntry(item)];
}

function checkedEntry(value: unknown): OutboxEntry {
  const { source, detailType, detail } = (value ?? {}) as Record<string, unknown>;
  if (typeof source !== 'string' || typeof detailType !== 'string' || typeof detail !== 'string' || !source || !detailType || !detail) {
    throw new Error('An outbox entry lacks source, detailType or detail');
  }
  return { source, detailType, detail };
}
