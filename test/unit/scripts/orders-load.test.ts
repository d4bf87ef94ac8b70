import { describe, expect, it } from 'vitest';
import { confirmationTimes, nextPollDelay, ordersInWindow } from '../../../scripts/bench/orders-load';

describe('bench buyers', () => {
  it('poll with backoff: 100 ms, doubling, at most 1 s', () => {
    const delays: number[] = [];
    for (let delay = nextPollDelay(); delays.length < 7; delay = nextPollDelay(delay)) delays.push(delay);
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });

  it("time an order by its own createdAt and CONFIRMED entry, not by when it was read", () => {
    const order = {
      orderId: 'o1',
      status: 'CONFIRMED',
      createdAt: '2026-12-03T05:00:00.120Z',
      history: [{ status: 'PENDING', at: '2026-12-03T05:00:00.120Z' }, { status: 'CONFIRMED', at: '2026-12-03T05:00:01.345Z' }],
    };
    expect(confirmationTimes(order)).toEqual({ placedAt: Date.parse(order.createdAt), confirmedAt: Date.parse(order.createdAt) + 1225 });
    expect(confirmationTimes({ ...order, status: 'PENDING', history: order.history.slice(0, 1) })).toBeUndefined();
    expect(() => confirmationTimes({ orderId: 'o2', history: [] })).toThrow(/o2 has no createdAt/);
  });

  it('count the orders confirmed within the window, whenever placed, with their latency and reads', () => {
    const at = (placedAt: number, confirmedAt: number, reads: number) => ({ placedAt, confirmedAt, reads });
    const confirmations = [at(0, 900, 9), at(500, 1_000, 2), at(1_200, 2_000, 4), at(2_500, 2_999, 6), at(2_600, 3_000, 1)];
    const result = ordersInWindow(confirmations, 1_000, 3_000, 1, 'order o9 ended REJECTED');
    expect(result).toEqual({ perSecond: 1.5, p50: 500, p99: 800, readsPerOrder: 4, failures: 1, firstFailure: 'order o9 ended REJECTED' });
    expect(ordersInWindow([], 0, 1_000).readsPerOrder).toBeNaN();
  });
});
