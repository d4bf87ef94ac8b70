/** The `kind` of an outbox item: the relay's stream filter selects on it. Import-free for the CDK app. */
export const OUTBOX_KIND = 'outbox';

/**
 * The attribute, set to {@link OUTBOX_KIND}, of an item of its own kind that carries the event it
 * records for the relay (see relayedEvent in outbox.ts): an event-sourced context's event item,
 * which so needs no outbox copy. The relay's stream filter selects on it too.
 */
export const RELAYED_ATTRIBUTE = 'relay';
