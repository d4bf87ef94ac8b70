import { describe, expect, it } from 'vitest';
import { allEvents, OrderPlaced } from '../../../functions/contracts/events';

describe('an event contract', () => {
  it("builds its detail schema when first read, not when defined: a bundle carries every event of its contracts' modules and parses a few", () => {
    const eager = allEvents.filter((event) => typeof Object.getOwnPropertyDescriptor(event, 'detail')?.get !== 'function');
    expect(eager.map((event) => event.detailType)).toEqual([]);
  });

  it('hands out the one detail schema it built, which checks the metadata and the data', () => {
    expect(OrderPlaced.detail).toBe(OrderPlaced.detail);
    const metadata = { eventId: 'e-1', correlationId: 'c-1', occurredAt: '2026-12-03T10:00:00.000Z', version: 1 };
    const data = { orderId: 'o-1', customerId: 'u-1', items: [{ productId: 'p-1', quantity: 1, unitPriceCents: 100 }], totalCents: 100, currency: 'USD' };
    expect(OrderPlaced.detail.parse({ metadata, data })).toEqual({ metadata, data });
    expect(OrderPlaced.detail.safeParse({ metadata: { ...metadata, version: 2 }, data }).success).toBe(false);
    expect(OrderPlaced.detail.safeParse({ metadata, data: { ...data, items: [] } }).success).toBe(false);
  });
});
