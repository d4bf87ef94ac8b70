import type { EventContract, EventData, EventDetail } from '../../contracts/events/envelope';
import { newId, nowIso } from '../ids';
import { ITEM_ABSENT } from '../dynamo/keys';
import { traceHeader } from '../observability';
import { OUTBOX_KIND, RELAYED_ATTRIBUTE } from './outbox-kind';

export { OUTBOX_KIND, RELAYED_ATTRIBUTE };

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
  /** The X-Ray trace header of the invocation that wrote it (see {@link OutboxEntry.traceHeader}). */
  traceHeader?: string;
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
  /** The trace header of the transaction, shared by its events. */
  traceHeader?: string;
}

/** One event as the relay hands it to PutEvents. */
export interface OutboxEntry {
  source: string;
  detailType: string;
  detail: string;
  /**
   * The trace the event belongs to: the table's stream starts a new one in the relay, so the
   * header written with the event is what PutEvents passes on (TraceHeader), and the bus on to
   * the rule targets, so one order's trace runs from the API through the saga to the consumers.
   */
  traceHeader?: string;
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

/** The key and expiry of the record of the event with `metadata`: keyed on its id, which is unique. */
function recordOf(metadata: EventDetail<EventContract>['metadata']) {
  const trace = traceHeader();
  return {
    pk: `OUTBOX#${metadata.eventId}`,
    sk: 'OUTBOX',
    kind: OUTBOX_KIND,
    createdAt: metadata.occurredAt,
    ttl: Math.floor(Date.parse(metadata.occurredAt) / 1000) + OUTBOX_RETENTION_SECONDS,
    ...(trace === undefined ? {} : { traceHeader: trace }),
  } as const;
}

const entryOf = ({ event, detail }: PendingEvent): OutboxEntry => ({
  source: event.source, detailType: event.detailType, detail: JSON.stringify(detail),
});

export function outboxItem(pending: PendingEvent): OutboxItem {
  return { ...recordOf(pending.detail.metadata), ...entryOf(pending) };
}

/** The attributes by which an item the producer writes anyway carries its event to the relay. */
export interface RelayedEvent extends OutboxEntry {
  [RELAYED_ATTRIBUTE]: typeof OUTBOX_KIND;
}

/** Attributes marked for the relay, with the invocation's trace header when there is one. */
function markedForRelay<T extends object>(attributes: T): T & { [RELAYED_ATTRIBUTE]: typeof OUTBOX_KIND; traceHeader?: string } {
  const trace = traceHeader();
  return { [RELAYED_ATTRIBUTE]: OUTBOX_KIND, ...attributes, ...(trace === undefined ? {} : { traceHeader: trace }) };
}

/** Several events of one write as one attribute, in the order they are published. */
const entriesOf = (events: readonly PendingEvent[]): string => JSON.stringify(events.map(entryOf));

/**
 * The event as attributes of an item of the producer's own that records it anyway (an
 * event-sourced context's event item, a payment, a reservation): the relay publishes that item as
 * it publishes an outbox record, so no outbox record is written beside it. Unlike an outbox record
 * it has no expiry: the item is the producer's, and the relay sees it when it is inserted, and
 * when it is changed where the context's relay also passes changes (relaysEventItemChanges).
 */
export function relayedEvent(pending: PendingEvent): RelayedEvent {
  return markedForRelay(entryOf(pending));
}

/** The attributes by which an item carries several events of one write, published in this order. */
export interface RelayedEvents {
  [RELAYED_ATTRIBUTE]: typeof OUTBOX_KIND;
  /** JSON: an array of {@link OutboxEntry}, as in an {@link OutboxBatchItem}. */
  entries: string;
  traceHeader?: string;
}

/**
 * relayedEvent for any number of events of one write: none, nothing; one, its attributes; several,
 * all of them in one attribute, as an outbox batch record carries them (see outboxPuts).
 */
export function relayedEvents(events: readonly PendingEvent[]): RelayedEvent | RelayedEvents | Record<string, never> {
  const [first, ...rest] = events;
  if (first === undefined) return {};
  if (rest.length === 0) return relayedEvent(first);
  return markedForRelay({ entries: entriesOf(events) });
}

/** The attributes relayedEvent may set: what an item updated in place with its events sets or removes. */
const RELAYED_EVENT_ATTRIBUTES = [RELAYED_ATTRIBUTE, 'source', 'detailType', 'detail', 'traceHeader'] as const;

/** UpdateExpression clauses (without their keywords), with the names and values they use. */
export interface UpdateClauses {
  set: string[];
  remove: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * The clauses by which a record updated in place (not inserted) carries the event its change
 * causes, for a relay that publishes changed items too (OutboxRelay's eventItemChanges): the
 * event's attributes set, and for a change without an event (or without a trace) the last one's
 * removed, so the relay, which sees every change of the item, never publishes an event twice.
 * One UpdateItem then records the change and its event, as atomically as a transaction would.
 */
export function relayedEventUpdate(pending: PendingEvent | undefined): UpdateClauses {
  const attributes: Partial<Record<(typeof RELAYED_EVENT_ATTRIBUTES)[number], string>> = pending ? relayedEvent(pending) : {};
  const clauses: UpdateClauses = { set: [], remove: [], names: {}, values: {} };
  RELAYED_EVENT_ATTRIBUTES.forEach((attribute, i) => {
    clauses.names[`#r${i}`] = attribute;
    const value = attributes[attribute];
    if (value === undefined) {
      clauses.remove.push(`#r${i}`);
    } else {
      clauses.set.push(`#r${i} = :r${i}`);
      clauses.values[`:r${i}`] = value;
    }
  });
  return clauses;
}

/** Several events in one record, keyed on the first one's id. */
export function outboxBatchItem(events: readonly [PendingEvent, ...PendingEvent[]]): OutboxBatchItem {
  return { ...recordOf(events[0].detail.metadata), entries: entriesOf(events) };
}

/**
 * The writes (at most one) of a transaction that record `events` in the producer's table (see
 * shared/dynamo/table.ts, which names the table): none for no event, the event's own record for
 * one, and for several a single record carrying them all. DynamoDB allows 100 items per
 * transaction, so a write that causes one event per line of an order (StockLow) must not spend
 * one item per event; the relay publishes each event of the record, so none is lost and the state
 * change and its events still commit together.
 */
export function outboxPuts(events: readonly PendingEvent[]): { Put: { Item: OutboxItem | OutboxBatchItem; ConditionExpression: string } }[] {
  const [first, ...rest] = events;
  if (first === undefined) return [];
  const Item = rest.length === 0 ? outboxItem(first) : outboxBatchItem([first, ...rest]);
  return [{ Put: { Item, ConditionExpression: ITEM_ABSENT } }];
}

/** The events of an outbox item as stored (either form), in the order they are published, with the record's trace header. */
export function outboxEntries(
  item: { source?: unknown; detailType?: unknown; detail?: unknown; entries?: unknown; traceHeader?: unknown },
): OutboxEntry[] {
  const entries = typeof item.entries === 'string' ? (JSON.parse(item.entries) as unknown[]).map(checkedEntry) : [checkedEntry(item)];
  const trace = typeof item.traceHeader === 'string' && item.traceHeader ? { traceHeader: item.traceHeader } : {};
  return entries.map((entry) => ({ ...entry, ...trace }));
}

function checkedEntry(value: unknown): OutboxEntry {
  const { source, detailType, detail } = (value ?? {}) as Record<string, unknown>;
  if (typeof source !== 'string' || typeof detailType !== 'string' || typeof detail !== 'string' || !source || !detailType || !detail) {
    throw new Error('An outbox entry lacks source, detailType or detail');
  }
  return { source, detailType, detail };
}
