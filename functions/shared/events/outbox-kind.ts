/** The `kind` of an outbox item: the relay's stream filter selects on it. Import-free for the CDK app. */
export const OUTBOX_KIND = 'outbox';
