/**
 * relayedEvents: the attributes by which an item carries the events of its write (a reservation).
 * relayedEventUpdate: the clauses by which a record updated in place carries its change's event,
 * for a relay that publishes the item at every change (the payments context). A change without
 * an event must drop the last one's, or the relay would publish that event again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PaymentCaptured } from '../../../functions/contracts/events/payments';
import { domainEvent, outboxBatchItem, outboxEntries, relayedEvent, relayedEvents, relayedEventUpdate, type UpdateClauses } from '../../../functions/shared/events/outbox';

const captured = () => domainEvent(PaymentCaptured, { orderId: 'o1', paymentId: 'c1', amountCents: 100, currency: 'USD' }, 'corr');
const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

/** The attributes the clauses set (by name, with their values) and remove (by name). */
function effect({ set, remove, names, values }: UpdateClauses) {
  const sets = Object.fromEntries(set.map((clause) => clause.split(' = ')).map(([name, value]) => [names[name!], values[value!]]));
  return { sets, removes: remove.map((name) => names[name]) };
}

afterEach(() => {
  delete process.env._X_AMZN_TRACE_ID;
});

describe('relayedEventUpdate', () => {
  it('sets the attributes of relayedEvent, the event the relay publishes, and removes a trace header it lacks', () => {
    const event = captured();
    expect(effect(relayedEventUpdate(event))).toEqual({ sets: relayedEvent(event), removes: ['traceHeader'] });
  });

  it("sets the invocation's trace header with the event", () => {
    process.env._X_AMZN_TRACE_ID = TRACE;
    const event = captured();
    const { sets, removes } = effect(relayedEventUpdate(event));
    expect(sets).toEqual({ ...relayedEvent(event), traceHeader: TRACE });
    expect(removes).toEqual([]);
  });

  it("removes the last event's attributes for a change without one, so the relay does not publish it again", () => {
    expect(effect(relayedEventUpdate(undefined))).toEqual({ sets: {}, removes: ['relay', 'source', 'detailType', 'detail', 'traceHeader'] });
  });
});

describe('relayedEvents', () => {
  it('carries no event, one as relayedEvent does, several as an outbox batch record does, published in order', () => {
    const [first, second] = [captured(), captured()];
    expect(relayedEvents([])).toEqual({});
    expect(relayedEvents([first])).toEqual(relayedEvent(first));
    const several = relayedEvents([first, second]);
    expect(several).toMatchObject({ relay: 'outbox', entries: outboxBatchItem([first, second]).entries });
    expect(outboxEntries(several).map((entry) => entry.detail)).toEqual([first, second].map((e) => JSON.stringify(e.detail)));
  });
});
