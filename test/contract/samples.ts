import type { EventContract, EventData } from '../../functions/contracts/events';
import { ProductArchived, ProductCreated, ProductUpdated, UserRegistered } from '../../functions/contracts/events';

type Sample<E extends EventContract> = { event: E; data: EventData<E> };
const sample = <E extends EventContract>(event: E, data: EventData<E>): Sample<E> => ({ event, data });

/** One realistic instance of every event the system emits: a new event without a sample fails the contract tests. */
export const samples: Sample<EventContract>[] = [
  sample(UserRegistered, { userId: '01JUSER0000000000000000000', email: 'ada@example.com', name: 'Ada' }),
  sample(ProductCreated, {
    productId: '01JPROD0000000000000000000', name: 'Mug', category: 'kitchen', priceCents: 1299, currency: 'USD', sku: 'MUG-1',
  }),
  sample(ProductUpdated, {
    productId: '01JPROD0000000000000000000', name: 'Mug', description: 'Big', category: 'kitchen', priceCents: 1499,
    currency: 'USD', sku: 'MUG-1', version: 2,
  }),
  sample(ProductArchived, { productId: '01JPROD0000000000000000000', version: 3 }),
];
