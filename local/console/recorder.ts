/**
 * What the console shows as it happens: a bounded, in-memory log of what the runtime's services
 * report (requests, invocations, events, deliveries, saga executions), numbered in order, with
 * listeners for the console's server-sent event stream. Offline only, nothing is persisted.
 */

export type ConsoleRecordKind = 'request' | 'invocation' | 'event' | 'delivery' | 'execution';

export interface ConsoleRecord {
  readonly seq: number;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly kind: ConsoleRecordKind;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Records kept; the oldest go first (a long session must not grow the runtime without bound). */
const DEFAULT_LIMIT = 2000;

export class ConsoleRecorder {
  /** A ring: once full, each record overwrites the oldest (removing it from the front of an array moved all the others, twice per API request). */
  private readonly records: ConsoleRecord[] = [];
  /** Where the oldest record is, once the ring is full. */
  private oldest = 0;
  private readonly listeners = new Set<(record: ConsoleRecord) => void>();
  private seq = 0;

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  record(kind: ConsoleRecordKind, data: Readonly<Record<string, unknown>>): ConsoleRecord {
    const record: ConsoleRecord = { seq: ++this.seq, at: Date.now(), kind, data };
    if (this.records.length < this.limit) this.records.push(record);
    else {
      this.records[this.oldest] = record;
      this.oldest = (this.oldest + 1) % this.limit;
    }
    for (const listener of this.listeners) listener(record);
    return record;
  }

  /** The records kept, oldest first. */
  all(): readonly ConsoleRecord[] {
    return [...this.records.slice(this.oldest), ...this.records.slice(0, this.oldest)];
  }

  /** Calls `listener` with every new record until the returned function is called. */
  subscribe(listener: (record: ConsoleRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

/** At most `max` characters of a payload: the console shows, and a trace searches, what is kept. */
export function clip(text: string, max = 8000): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}
