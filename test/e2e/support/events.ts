import { existsSync, readFileSync } from 'node:fs';

/** An event as the bus accepted it (the envelope EventBridge delivers to targets). */
export interface BusEvent {
  id: string;
  source: string;
  'detail-type': string;
  detail: { metadata: { eventId: string }; data: Record<string, unknown> };
}

/**
 * The events published on the bus so far, from the offline runtime's events log
 * (E2E_EVENTS_LOG, set by the global setup); undefined against any other target, where the bus
 * cannot be read over HTTP (an archive can only be replayed), so callers skip what they would
 * have checked there.
 */
export function publishedEvents(detailType?: string): BusEvent[] | undefined {
  const file = process.env.E2E_EVENTS_LOG;
  if (!file) return undefined;
  if (!existsSync(file)) return [];
  const events = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { event: BusEvent }).event);
  return detailType === undefined ? events : events.filter((event) => event['detail-type'] === detailType);
}
