/**
 * The outbox relay on stream records built from real outbox items: a record carrying several
 * events of one transaction is published as one event each, in order and in PutEvents calls of
 * at most 10, and a failure is reported on the record whose event failed, so nothing is lost.
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StockLow, StockReserved } from '../../../functions/contracts/events/inventory';
import { PaymentCaptured } from '../../../functions/contracts/events/payments';
import { ENV } from '../../../functions/shared/environment';
import { domainEvent, outboxBatchItem, outboxItem, relayedEvent, type PendingEvent } from '../../../functions/shared/events/outbox';
import { lambdaContext } from '../../support/http';

const BUS = 'commerce-test';
const eventBridge = mockClient(EventBridgeClient);
let relay: (event: DynamoDBStreamEvent, context: ReturnType<typeof lambdaContext>) => Promise<DynamoDBBatchResponse>;

beforeAll(async () => {
  process.env[ENV.eventBusName] = BUS;
  relay = (await import('../../../functions/platform/handlers/outbox-relay')).handler as typeof relay;
});

beforeEach(() => {
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake(({ Entries = [] }: { Entries?: PutEventsRequestEntry[] }) => ({
    FailedEntryCount: 0, Entries: Entries.map((_, i) => ({ EventId: `e${i}` })),
  }));
});

const low = (n: number) => domainEvent(StockLow, { productId: `p${n}`, available: 4, threshold: 5 }, 'corr');
const reserved = () => domainEvent(StockReserved, { orderId: 'o1', items: [{ productId: 'p1', quantity: 1 }] }, 'corr');

let sequence = 100;
function record(item: object, eventName: 'INSERT' | 'MODIFY' = 'INSERT'): DynamoDBRecord {
  sequence += 1;
  return {
    eventName,
    dynamodb: { SequenceNumber: String(sequence), NewImage: marshall(item) as Record<string, AttributeValue> as never },
  };
}

const published = () => eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries ?? []);
const detailsOf = (events: PendingEvent[]) => events.map((e) => JSON.stringify(e.detail));

describe('outbox relay', () => {
  it('publishes a record of one event as that event', async () => {
    const event = reserved();
    expect(await relay({ Records: [record(outboxItem(event))] }, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(published()).toEqual([[{ EventBusName: BUS, Source: 'commerce.inventory', DetailType: 'StockReserved', Detail: JSON.stringify(event.detail) }]]);
  });

  it('publishes an item of another kind that carries its own event (an order event item) as that event, in stream order', async () => {
    const [first, between, second] = [reserved(), low(1), low(2)];
    const eventItem = (seq: number, pending: PendingEvent) => ({ pk: 'ORDER#o1', sk: `EVENT#${seq}`, kind: 'orderEvent', seq, ...relayedEvent(pending) });
    const records = [record(eventItem(1, first)), record(outboxItem(between)), record(eventItem(2, second))];
    expect(await relay({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(published()).toEqual([[first, between, second].map((e) => ({
      EventBusName: BUS, Source: e.event.source, DetailType: e.event.detailType, Detail: JSON.stringify(e.detail),
    }))]);
  });

  it('publishes an item that carries its own event each time it is changed with a new one (a payment settled), and no other change', async () => {
    const captured = domainEvent(PaymentCaptured, { orderId: 'o1', paymentId: 'c1', amountCents: 100, currency: 'USD' }, 'corr');
    const payment = { pk: 'PAYMENT#o1', sk: 'PAYMENT', kind: 'payment', status: 'FAILED' };
    // The stream's filter lets no change without the event's attributes through; the relay drops one too.
    const records = [record({ ...payment, status: 'CAPTURED', ...relayedEvent(captured) }, 'MODIFY'), record(payment, 'MODIFY')];
    expect(await relay({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(published()).toEqual([[{ EventBusName: BUS, Source: 'commerce.payments', DetailType: 'PaymentCaptured', Detail: JSON.stringify(captured.detail) }]]);
  });

  it('publishes every event of a batched record, in order, 10 per PutEvents', async () => {
    const events = [reserved(), ...Array.from({ length: 50 }, (_, i) => low(i))];
    const before = low(99);
    const records = [record(outboxItem(before)), record(outboxBatchItem([events[0]!, ...events.slice(1)]))];
    expect(await relay({ Records: records }, lambdaContext())).toEqual({ batchItemFailures: [] });
    const calls = published();
    expect(calls.map((entries) => entries.length)).toEqual([10, 10, 10, 10, 10, 2]);
    expect(calls.flat().map((entry) => entry.Detail)).toEqual(detailsOf([before, ...events]));
    expect(calls.flat().filter((entry) => entry.DetailType === 'StockLow')).toHaveLength(51);
  });

  it('reports the batched record whose later events failed, so all of them are published again', async () => {
    const events = Array.from({ length: 12 }, (_, i) => low(i));
    const first = record(outboxItem(reserved()));
    const batch = record(outboxBatchItem([events[0]!, ...events.slice(1)]));
    const after = record(outboxItem(reserved()));
    eventBridge.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 0, Entries: [] }).resolvesOnce({
      FailedEntryCount: 1, Entries: [{ EventId: 'ok' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }, { EventId: 'ok' }],
    });
    const response = await relay({ Records: [first, batch, after] }, lambdaContext());
    // The second call held the batch's last two events and the record after it; the batch's last one failed.
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: batch.dynamodb!.SequenceNumber }] });
  });

  it('publishes what precedes an unreadable record and reports that record', async () => {
    const good = record(outboxItem(reserved()));
    const broken = record({ pk: 'OUTBOX#x', sk: 'OUTBOX', kind: 'outbox', entries: JSON.stringify([{ source: 'commerce.inventory' }]) });
    const response = await relay({ Records: [good, broken, record(outboxItem(reserved()))] }, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: broken.dynamodb!.SequenceNumber }] });
    expect(published().flat()).toHaveLength(1);
  });

  describe('trace propagation', () => {
    const TRACE = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    // The table's stream starts a trace of its own in the relay: only the stored header links them.
    const writtenIn = <T>(trace: string | undefined, write: () => T): T => {
      const saved = process.env._X_AMZN_TRACE_ID;
      if (trace === undefined) delete process.env._X_AMZN_TRACE_ID;
      else process.env._X_AMZN_TRACE_ID = trace;
      try {
        return write();
      } finally {
        if (saved === undefined) delete process.env._X_AMZN_TRACE_ID;
        else process.env._X_AMZN_TRACE_ID = saved;
      }
    };

    it('publishes every event with the trace header of the invocation that wrote its record', async () => {
      const single = writtenIn(TRACE, () => record(outboxItem(reserved())));
      const batch = writtenIn(TRACE, () => record(outboxBatchItem([low(1), low(2)])));
      const relayTrace = 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=1';
      await writtenIn(relayTrace, () => relay({ Records: [single, batch] }, lambdaContext()));
      expect(published().flat().map((entry) => entry.TraceHeader)).toEqual([TRACE, TRACE, TRACE]);
    });

    it('publishes an event written outside any trace without a header', async () => {
      await relay({ Records: [writtenIn(undefined, () => record(outboxItem(reserved())))] }, lambdaContext());
      expect(published().flat()[0]).not.toHaveProperty('TraceHeader');
    });
  });
});
