import { describe, expect, it } from 'vitest';
import { ShipmentDispatched } from '../../../functions/contracts/events/shipping';
import type { PendingEvent } from '../../../functions/shared/events/outbox';
import {
  newShipment, ShipmentNotPreparingError, type Shipment,
} from '../../../functions/shipping/domain/shipment';
import {
  cancelShipment, dispatchShipment, MAX_WRITE_ATTEMPTS, prepareShipment, type CreateResult, type ShipmentStore,
} from '../../../functions/shipping/domain/shipping';

/**
 * The store contract in memory: the use cases' rules without a database, and hooks that play a
 * concurrent writer at the moment between a read and the conditional write.
 */
function memoryStore() {
  const shipments = new Map<string, Shipment>();
  const notes = new Set<string>();
  const published: PendingEvent[] = [];
  const hooks = {
    beforeCreate: (): CreateResult | undefined => undefined,
    beforeNote: (_orderId: string): void => {},
    beforeReplace: (): boolean => true,
  };
  const store: ShipmentStore = {
    async get(orderId) {
      return structuredClone(shipments.get(orderId));
    },
    async create(shipment, { unlessOrderCancelled }) {
      const forced = hooks.beforeCreate();
      if (forced) return forced;
      if (shipments.has(shipment.orderId)) return 'exists';
      if (unlessOrderCancelled && notes.has(shipment.orderId)) return 'orderCancelled';
      shipments.set(shipment.orderId, structuredClone(shipment));
      return 'created';
    },
    async noteCancellation(orderId) {
      hooks.beforeNote(orderId);
      if (shipments.has(orderId)) return 'shipmentExists';
      notes.add(orderId);
      return 'noted';
    },
    async replace(next, from, event) {
      if (!hooks.beforeReplace()) return false;
      if (shipments.get(next.orderId)?.status !== from) return false;
      shipments.set(next.orderId, structuredClone(next));
      if (event) published.push(event);
      return true;
    },
  };
  return { store, shipments, notes, published, hooks };
}

const order = { orderId: 'o-1', customerId: 'c-1' };
const carriage = { carrier: 'UPS', trackingNumber: '1Z999' };

describe('prepareShipment', () => {
  it('creates a PREPARING shipment once; a repeat finds it', async () => {
    const memory = memoryStore();
    expect(await prepareShipment(memory.store, order)).toBe('created');
    const first = memory.shipments.get('o-1');
    expect(await prepareShipment(memory.store, order)).toBe('alreadyExists');
    expect(memory.shipments.get('o-1')).toEqual(first);
    expect(first).toMatchObject({ ...order, status: 'PREPARING' });
  });

  it('creates it CANCELLED when the cancellation of the order was noted first', async () => {
    const memory = memoryStore();
    expect(await cancelShipment(memory.store, 'o-1')).toBe('noted');
    expect(await prepareShipment(memory.store, order)).toBe('createdCancelled');
    expect(memory.shipments.get('o-1')).toMatchObject({ ...order, status: 'CANCELLED' });
  });

  it('tries again after losing a race, and gives up (to be redelivered) after a bounded number of attempts', async () => {
    const memory = memoryStore();
    let lost = 0;
    memory.hooks.beforeCreate = () => ((lost += 1) === 1 ? 'lostRace' : undefined);
    expect(await prepareShipment(memory.store, order)).toBe('created');

    const contended = memoryStore();
    contended.hooks.beforeCreate = () => 'lostRace';
    await expect(prepareShipment(contended.store, order)).rejects.toMatchObject({ status: 409, code: 'concurrent-update', message: 'The shipment is being changed by another request; try again' });
    expect(contended.shipments.size).toBe(0);
  });
});

describe('cancelShipment', () => {
  it('cancels a PREPARING shipment and publishes nothing', async () => {
    const memory = memoryStore();
    await prepareShipment(memory.store, order);
    expect(await cancelShipment(memory.store, 'o-1')).toBe('cancelled');
    expect(memory.shipments.get('o-1')!.status).toBe('CANCELLED');
    expect(await cancelShipment(memory.store, 'o-1')).toBe('leftAsIs');
    expect(memory.published).toEqual([]);
  });

  it('reads again and cancels the shipment that its OrderConfirmed created between the read and the note', async () => {
    const memory = memoryStore();
    memory.hooks.beforeNote = (orderId) => {
      memory.hooks.beforeNote = () => {};
      memory.shipments.set(orderId, newShipment(order, '2026-01-01T00:00:00.000Z'));
    };
    expect(await cancelShipment(memory.store, 'o-1')).toBe('cancelled');
    expect(memory.shipments.get('o-1')!.status).toBe('CANCELLED');
    expect(memory.notes.size).toBe(0);
  });

  it('reads again when the shipment changed between the read and the write, and leaves a dispatched one', async () => {
    const memory = memoryStore();
    await prepareShipment(memory.store, order);
    memory.hooks.beforeReplace = () => {
      memory.hooks.beforeReplace = () => true;
      memory.shipments.set('o-1', { ...memory.shipments.get('o-1')!, status: 'DISPATCHED', ...carriage });
      return true;
    };
    expect(await cancelShipment(memory.store, 'o-1')).toBe('leftAsIs');
    expect(memory.shipments.get('o-1')!.status).toBe('DISPATCHED');
  });

  it(`gives up after ${MAX_WRITE_ATTEMPTS} lost races, so the event is redelivered`, async () => {
    const memory = memoryStore();
    await prepareShipment(memory.store, order);
    memory.hooks.beforeReplace = () => false;
    await expect(cancelShipment(memory.store, 'o-1')).rejects.toMatchObject({ status: 409, code: 'concurrent-update', message: 'The shipment is being changed by another request; try again' });
  });
});

describe('dispatchShipment', () => {
  it('publishes ShipmentDispatched with the write, and keeps its event id on the shipment', async () => {
    const memory = memoryStore();
    await prepareShipment(memory.store, order);
    const view = await dispatchShipment(memory.store, 'o-1', carriage, 'corr');
    expect(view).toMatchObject({ status: 'DISPATCHED', ...carriage });
    expect(memory.published).toHaveLength(1);
    const [event] = memory.published;
    expect(event!.event).toBe(ShipmentDispatched);
    expect(event!.detail.data).toEqual({ orderId: 'o-1', shipmentId: view.shipmentId, ...carriage });
    expect(memory.shipments.get('o-1')!.dispatchEventId).toBe(event!.detail.metadata.eventId);
  });

  it('answers 409 when another dispatch won between the read and the write', async () => {
    const memory = memoryStore();
    await prepareShipment(memory.store, order);
    memory.hooks.beforeReplace = () => {
      memory.hooks.beforeReplace = () => true;
      memory.shipments.set('o-1', { ...memory.shipments.get('o-1')!, status: 'DISPATCHED', carrier: 'DHL', trackingNumber: 'X' });
      return true;
    };
    await expect(dispatchShipment(memory.store, 'o-1', carriage, 'corr')).rejects.toBeInstanceOf(ShipmentNotPreparingError);
    expect(memory.shipments.get('o-1')!.carrier).toBe('DHL');
    expect(memory.published).toEqual([]);
  });

  it(`answers 409 concurrent-update after ${MAX_WRITE_ATTEMPTS} lost races`, async () => {
    const memory = memoryStore();
    await prepareShipment(memory.store, order);
    memory.hooks.beforeReplace = () => false;
    await expect(dispatchShipment(memory.store, 'o-1', carriage, 'corr')).rejects.toMatchObject({ status: 409, code: 'concurrent-update' });
  });
});
