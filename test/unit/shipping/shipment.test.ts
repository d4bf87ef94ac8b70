import { describe, expect, it } from 'vitest';
import { Shipment as ShipmentContract, ShipmentStatus } from '../../../functions/contracts/api/shipping';
import { ConflictError, NotFoundError } from '../../../functions/shared/errors';
import {
  cancel, canSee, deliver, dispatch, MOVES, newShipment, ShipmentNotDispatchedError, ShipmentNotFoundError,
  ShipmentNotPreparingError, toShipmentView, type Shipment,
} from '../../../functions/shipping/domain/shipment';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:05:00.000Z';
const carriage = { carrier: 'UPS', trackingNumber: '1Z999' };

const shipment = (overrides: Partial<Shipment> = {}): Shipment => ({
  ...newShipment({ orderId: 'o-1', customerId: 'c-1' }, T0, '01JSHIP0000000000000000000'),
  ...overrides,
});

describe('a new shipment', () => {
  it('is PREPARING, for the order and its customer, with no carriage yet', () => {
    expect(newShipment({ orderId: 'o-1', customerId: 'c-1' }, T0, 's-1')).toEqual({
      shipmentId: 's-1', orderId: 'o-1', customerId: 'c-1', status: 'PREPARING', createdAt: T0, updatedAt: T0,
    });
  });

  it('gets a fresh, time-ordered ULID unless given one', () => {
    const [a, b] = [newShipment({ orderId: 'o', customerId: 'c' }, T0), newShipment({ orderId: 'o', customerId: 'c' }, T0)];
    expect(a.shipmentId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(b.shipmentId > a.shipmentId).toBe(true);
  });
});

describe('the shipment lifecycle', () => {
  it('dispatches a PREPARING shipment with its carriage', () => {
    expect(dispatch(shipment(), carriage, T1)).toEqual(shipment({ status: 'DISPATCHED', ...carriage, updatedAt: T1 }));
  });

  it.each(['DISPATCHED', 'DELIVERED', 'CANCELLED'] as const)('refuses to dispatch a %s shipment (409 shipment-not-preparing)', (status) => {
    expect(() => dispatch(shipment({ status }), carriage, T1)).toThrow(ShipmentNotPreparingError);
    expect(new ShipmentNotPreparingError(status)).toBeInstanceOf(ConflictError);
    expect(new ShipmentNotPreparingError(status)).toMatchObject({ status: 409, code: 'shipment-not-preparing' });
  });

  it('delivers a DISPATCHED shipment, keeping its carriage', () => {
    const dispatched = shipment({ status: 'DISPATCHED', ...carriage, dispatchEventId: 'e-1' });
    expect(deliver(dispatched, T1)).toEqual({ ...dispatched, status: 'DELIVERED', updatedAt: T1 });
  });

  it.each(['PREPARING', 'DELIVERED', 'CANCELLED'] as const)('refuses to deliver a %s shipment (409 shipment-not-dispatched)', (status) => {
    expect(() => deliver(shipment({ status }), T1)).toThrow(ShipmentNotDispatchedError);
    expect(new ShipmentNotDispatchedError(status)).toMatchObject({ status: 409, code: 'shipment-not-dispatched' });
  });

  it('cancels a PREPARING shipment and leaves any other as it is', () => {
    expect(cancel(shipment(), T1)).toEqual(shipment({ status: 'CANCELLED', updatedAt: T1 }));
    for (const status of ['DISPATCHED', 'DELIVERED', 'CANCELLED'] as const) expect(cancel(shipment({ status }), T1), status).toBeUndefined();
  });

  it('moves every status forward only: no move leads back to PREPARING, none leaves DELIVERED or CANCELLED', () => {
    const moves = Object.values(MOVES);
    expect(moves.map((m) => m.to)).not.toContain('PREPARING');
    expect(moves.map((m) => m.from)).not.toContain('DELIVERED');
    expect(moves.map((m) => m.from)).not.toContain('CANCELLED');
    expect(new Set(moves.flatMap((m) => [m.from, m.to]))).toEqual(new Set(ShipmentStatus.options));
  });
});

describe('who sees a shipment', () => {
  it("shows it to the order's customer and to admins only", () => {
    expect(canSee(shipment(), { userId: 'c-1', role: 'customer' })).toBe(true);
    expect(canSee(shipment(), { userId: 'c-2', role: 'customer' })).toBe(false);
    expect(canSee(shipment(), { userId: 'a-1', role: 'admin' })).toBe(true);
  });

  it('answers unknown and hidden shipments with the same 404', () => {
    expect(new ShipmentNotFoundError()).toBeInstanceOf(NotFoundError);
    expect(new ShipmentNotFoundError()).toMatchObject({ status: 404, code: 'not-found' });
  });
});

describe('the API view', () => {
  it('leaves out the customer, the creation time and the event ids', () => {
    const delivered = shipment({ status: 'DELIVERED', ...carriage, dispatchEventId: 'e-1', deliveryEventId: 'e-2', updatedAt: T1 });
    const view = toShipmentView(delivered);
    expect(view).toEqual({ shipmentId: delivered.shipmentId, orderId: 'o-1', status: 'DELIVERED', ...carriage, updatedAt: T1 });
    expect(ShipmentContract.strict().parse(view)).toEqual(view);
  });

  it('has no carrier or tracking number before the dispatch', () => {
    expect(Object.keys(toShipmentView(shipment())).sort()).toEqual(['orderId', 'shipmentId', 'status', 'updatedAt']);
  });
});
