/** An order made again from its events: the fold the snapshots and the rebuild of the orders view use. */
import { describe, expect, it } from 'vitest';
import { decideTransition, type OrderEvent, type OrderState, type OrderTransition } from '../../../functions/orders/domain/order';
import {
  applyEvent, placedDetails, replayOrder, snapshotDue, snapshotOf, UnreplayableOrderError,
} from '../../../functions/orders/domain/replay';

const address = { name: 'Ada Lovelace', line1: '1 Analytical St', city: 'London', postalCode: 'N1 9GU', country: 'GB' };
const placedState: OrderState = {
  orderId: 'o1', customerId: 'u1', status: 'PENDING', items: [{ productId: 'p1', name: 'Mug', quantity: 2, unitPriceCents: 500 }],
  totalCents: 1000, currency: 'USD', shippingAddress: address, createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z',
  version: 1, correlationId: 'c1',
};
const first: OrderEvent = { seq: 1, type: 'OrderPlaced', status: 'PENDING', at: placedState.createdAt, eventId: 'e1', placed: placedDetails(placedState) };

/** The order walked through `transitions` as the store does it (decideTransition), with every state it passed through. */
function walk(transitions: OrderTransition[]): { states: OrderState[]; events: OrderEvent[] } {
  const states = [placedState];
  const events = [first];
  transitions.forEach((transition, i) => {
    const decision = decideTransition(states.at(-1)!, transition, `2026-12-01T10:0${i + 1}:00.000Z`);
    if (decision.kind !== 'moved') throw new Error('no move');
    states.push(decision.state);
    events.push({ ...decision.change, seq: decision.state.version, eventId: `e${decision.state.version}` });
  });
  return { states, events };
}

const lifecycle: OrderTransition[] = [{ to: 'CONFIRMED' }, { to: 'SHIPPED', carrier: 'UPS', trackingNumber: '1Z' }, { to: 'DELIVERED' }];

describe('replaying an order', () => {
  it('makes, after each event, the state the store wrote with it', () => {
    const { states, events } = walk(lifecycle);
    events.forEach((_, i) => expect(replayOrder('o1', undefined, events.slice(0, i + 1))).toEqual(snapshotOf(states[i]!)));
  });

  it('from any snapshot and the events after it, makes what every event from the first makes', () => {
    const { states, events } = walk(lifecycle);
    for (let seq = 1; seq <= events.length; seq++) {
      expect(replayOrder('o1', snapshotOf(states[seq - 1]!), events.slice(seq))).toEqual(replayOrder('o1', undefined, events));
    }
  });

  it('keeps the last reason when a later event has none, as the store does', () => {
    const cancelled = walk([{ to: 'CANCELLED', reason: 'PAYMENT_DECLINED', refunded: false }]);
    expect(replayOrder('o1', undefined, cancelled.events)).toMatchObject({ status: 'CANCELLED', statusReason: 'PAYMENT_DECLINED', version: 2 });
  });

  it('leaves out the flags set beside the event stream', () => {
    expect(snapshotOf({ ...placedState, cancelRequested: true, needsOperator: true })).toEqual(snapshotOf(placedState));
    expect(snapshotOf({ ...placedState, cancelRequested: true })).not.toHaveProperty('cancelRequested');
  });

  it('refuses a gap in the events and an OrderPlaced without the order, unless the view stands in for it', () => {
    const { events } = walk(lifecycle);
    expect(() => replayOrder('o1', undefined, [events[0]!, events[2]!])).toThrow(/event 3 does not follow version 1/);
    const { placed: _placed, ...legacy } = first;
    expect(() => applyEvent('o1', undefined, legacy)).toThrow(UnreplayableOrderError);
    expect(() => replayOrder('o1', undefined, events.slice(1))).toThrow(UnreplayableOrderError);
    expect(applyEvent('o1', undefined, legacy, placedDetails(placedState))).toEqual(snapshotOf(placedState));
  });

  it('is due a snapshot on every n-th event', () => {
    expect([1, 2, 3, 4, 5, 6].filter((seq) => snapshotDue(seq, 3))).toEqual([3, 6]);
    expect([1, 2, 3].filter((seq) => snapshotDue(seq, 1))).toEqual([1, 2, 3]);
  });
});
