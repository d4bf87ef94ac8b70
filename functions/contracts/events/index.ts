import type { EventContract } from './envelope';
import * as catalog from './catalog';
import * as users from './users';

export * from './envelope';
export * from './catalog';
export * from './users';

/** Every event the system can emit, by detail-type. */
export const allEvents: readonly EventContract[] = [...Object.values(users), ...Object.values(catalog)];
