import type { EventContract } from './envelope';
import * as cart from './cart';
import * as catalog from './catalog';
import * as inventory from './inventory';
import * as orders from './orders';
import * as payments from './payments';
import * as shipping from './shipping';
import * as users from './users';

export * from './envelope';
export * from './cart';
export * from './catalog';
export * from './inventory';
export * from './orders';
export * from './payments';
export * from './shipping';
export * from './users';

const isEvent = (value: unknown): value is EventContract =>
  typeof value === 'object' && value !== null && 'detailType' in value && 'source' in value;

/** Every event the system can emit. */
export const allEvents: readonly EventContract[] = [users, catalog, cart, inventory, orders, payments, shipping].flatMap((module) =>
  Object.values(module).filter(isEvent),
);
