import type { DispatchRequest as Carriage, Shipment as ShipmentView, ShipmentStatus } from '../../contracts/api/shipping';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { newId } from '../../shared/ids';

export type { Carriage, ShipmentStatus, ShipmentView };

/** A shipment as shipping keeps it: one per confirmed order, found by the order's id. */
export interface Shipment {
  shipmentId: string;
  orderId: string;
  /** Whose order it is: the one customer (besides admins) who may see it. */
  customerId: string;
  status: ShipmentStatus;
  carrier?: string;
  trackingNumber?: string;
  createdAt: string;
  updatedAt: string;
  /** The ids of the events that announced the dispatch and the delivery. */
  dispatchEventId?: string;
  deliveryEventId?: string;
}

export interface OrderRef {
  orderId: string;
  customerId: string;
}

/** What a confirmed order gets; ids are ULIDs. */
export function newShipment({ orderId, customerId }: OrderRef, now: string, shipmentId: string = newId()): Shipment {
  return { shipmentId, orderId, customerId, status: 'PREPARING', createdAt: now, updatedAt: now };
}

/**
 * The lifecycle: PREPARING → DISPATCHED → DELIVERED, or PREPARING → CANCELLED. Every move starts
 * from exactly one status, and the store writes it only while the shipment still has that status.
 */
export const MOVES = {
  dispatch: { from: 'PREPARING', to: 'DISPATCHED' },
  deliver: { from: 'DISPATCHED', to: 'DELIVERED' },
  cancel: { from: 'PREPARING', to: 'CANCELLED' },
} as const satisfies Record<string, { from: ShipmentStatus; to: ShipmentStatus }>;

/** Hands a PREPARING shipment to its carrier. */
export function dispatch(shipment: Shipment, { carrier, trackingNumber }: Carriage, now: string): Shipment {
  if (shipment.status !== MOVES.dispatch.from) throw new ShipmentNotPreparingError(shipment.status);
  return { ...shipment, status: MOVES.dispatch.to, carrier, trackingNumber, updatedAt: now };
}

export function deliver(shipment: Shipment, now: string): Shipment {
  if (shipment.status !== MOVES.deliver.from) throw new ShipmentNotDispatchedError(shipment.status);
  return { ...shipment, status: MOVES.deliver.to, updatedAt: now };
}

/**
 * The order was cancelled: a shipment still PREPARING is cancelled with it; one that has left
 * (DISPATCHED, DELIVERED) or is already CANCELLED stays as it is (undefined: nothing to write).
 */
export function cancel(shipment: Shipment, now: string): Shipment | undefined {
  if (shipment.status !== MOVES.cancel.from) return undefined;
  return { ...shipment, status: MOVES.cancel.to, updatedAt: now };
}

/** Customers see the shipments of their own orders only; anyone else's is as unknown as a missing one. */
export function canSee(shipment: Shipment, caller: { userId: string; role: string }): boolean {
  return caller.role === 'admin' || shipment.customerId === caller.userId;
}

export function toShipmentView({ shipmentId, orderId, status, carrier, trackingNumber, updatedAt }: Shipment): ShipmentView {
  return {
    shipmentId,
    orderId,
    status,
    ...(carrier === undefined ? {} : { carrier }),
    ...(trackingNumber === undefined ? {} : { trackingNumber }),
    updatedAt,
  };
}

export class ShipmentNotFoundError extends NotFoundError {
  constructor() {
    super('No shipment for this order');
  }
}

export class ShipmentNotPreparingError extends ConflictError {
  override readonly code = 'shipment-not-preparing';
  constructor(status: ShipmentStatus) {
    super(`Only a PREPARING shipment can be dispatched; this one is ${status}`);
  }
}

export class ShipmentNotDispatchedError extends ConflictError {
  override readonly code = 'shipment-not-dispatched';
  constructor(status: ShipmentStatus) {
    super(`Only a DISPATCHED shipment can be delivered; this one is ${status}`);
  }
}
