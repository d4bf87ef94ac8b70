import type { SQSBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ProductArchived, ProductCreated } from '../../../functions/contracts/events/catalog';
import type { EventData, EventMetadata } from '../../../functions/contracts/events/envelope';
import { OrderPlaced } from '../../../functions/contracts/events/orders';
import { eventConsumer, queuedEventConsumer } from '../../../functions/shared/events/event-consumer';
import { busEvent } from '../../support/bus-event';
import { lambdaContext } from '../../support/http';
import { queued, sqsRecord } from '../../support/bus-event';

const created = busEvent(ProductCreated, { productId: 'p1', name: 'Mug', category: 'kitchen', priceCents: 1299, currency: 'USD', sku: 'SKU-1' });
const archived = busEvent(ProductArchived, { productId: 'p1', version: 2 }, { correlationId: 'corr-2' });

/** Consumers of the two catalog events that record what each handler was given. */
function consumers() {
  const seen: [string, unknown, string][] = [];
  const record = (type: string) => async (data: unknown, metadata: EventMetadata) => {
    if ((data as { productId?: string }).productId === 'fails') throw new Error('the handler failed');
    seen.push([type, data, metadata.correlationId]);
  };
  const handlers = {
    ProductCreated: record('created') as (data: EventData<typeof ProductCreated>, metadata: EventMetadata) => Promise<void>,
    ProductArchived: record('archived') as (data: EventData<typeof ProductArchived>, metadata: EventMetadata) => Promise<void>,
  };
  return {
    seen,
    direct: eventConsumer([ProductCreated, ProductArchived], handlers),
    queue: queuedEventConsumer([ProductCreated, ProductArchived], handlers),
  };
}

describe('eventConsumer (EventBridge rule target)', () => {
  it('hands each event to the handler of its detail-type, with its parsed data and metadata', async () => {
    const { seen, direct } = consumers();
    await direct(created, lambdaContext());
    await direct(archived, lambdaContext());
    expect(seen).toEqual([['created', expect.objectContaining({ productId: 'p1', sku: 'SKU-1' }), 'corr'], ['archived', { productId: 'p1', version: 2 }, 'corr-2']]);
  });

  it('throws, so Lambda retries, for an unknown detail-type, another source, a malformed detail or a failing handler', async () => {
    const { seen, direct } = consumers();
    const placed = { ...created, source: OrderPlaced.source, 'detail-type': OrderPlaced.detailType };
    await expect(direct(placed, lambdaContext())).rejects.toThrow('No handler for commerce.orders OrderPlaced');
    await expect(direct({ ...created, source: 'commerce.orders' }, lambdaContext())).rejects.toThrow('No handler for commerce.orders ProductCreated');
    await expect(direct({ ...archived, detail: { metadata: {}, data: {} } }, lambdaContext())).rejects.toThrow();
    const failing = busEvent(ProductArchived, { productId: 'fails', version: 1 });
    await expect(direct(failing, lambdaContext())).rejects.toThrow('the handler failed');
    expect(seen).toEqual([]);
  });
});

describe('queuedEventConsumer (queue subscription)', () => {
  it('dispatches every record as the rule target does, and reports only the records that failed', async () => {
    const { seen, queue } = consumers();
    const records = [
      queued(created, 'm-1'),
      queued({ ...created, source: 'commerce.orders' }, 'm-2'),
      sqsRecord('not json', 'm-3'),
      queued(busEvent(ProductArchived, { productId: 'fails', version: 1 }), 'm-4'),
      queued(archived, 'm-5'),
    ];
    const result = (await queue({ Records: records }, lambdaContext())) as SQSBatchResponse;
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-3' }, { itemIdentifier: 'm-4' }] });
    expect(seen.map(([type]) => type)).toEqual(['created', 'archived']);
  });
});
