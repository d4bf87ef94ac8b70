import { ShipmentDelivered, ShipmentDispatched } from '../../contracts/events/shipping';
import type { Caller } from '../../shared/auth/authenticate';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { ConcurrentUpdateError } from '../../shared/errors';
import { nowIso } from '../../shared/ids';
import { LOST_RACE, retryOnLostRace, type RaceOptions } from '../../shared/lost-race';
import {
  cancel, canSee, deliver, dispatch, MOVES, newShipment, ShipmentNotFoundError, toShipmentView,
  type Carriage, type OrderRef, type Shipment, type ShipmentStatus, type ShipmentView,
} from './shipment';

/**
 * What a conditional create did: `created`; nothing, because the order has a shipment already
 * (`exists`) or its cancellation was noted before (`orderCancelled`, see noteCancellation); or
 * nothing because DynamoDB cancelled it in favour of a concurrent transaction (`lostRace`).
 */
export type CreateResult = 'created' | 'exists' | 'orderCancelled' | 'lostRace';

/** The shipping table as the domain sees it. */
export interface ShipmentStore {
  /** The order's shipment, read consistently (it is the base of every conditional write). */
  get(orderId: string): Promise<Shipment | undefined>;
  /**
   * Stores a new shipment unless the order has one; with `unlessOrderCancelled`, also unless a
   * cancellation of the order was noted.
   */
  create(shipment: Shipment, guard: { unlessOrderCancelled: boolean }): Promise<CreateResult>;
  /**
   * Notes that the order was cancelled, only while it has no shipment ('shipmentExists'
   * otherwise); a note already there is kept ('noted' again).
   */
  noteCancellation(orderId: string, at: string): Promise<'noted' | 'shipmentExists' | 'lostRace'>;
  /**
   * Replaces the shipment with `next`, recording `event` in the outbox in the same transaction,
   * only if the stored status is still `from`; false when it is not (or the shipment is gone),
   * or when a concurrent transaction won.
   */
  replace(next: Shipment, from: ShipmentStatus, event?: PendingEvent): Promise<boolean>;
}

/** Reads before a conditional write gives up on a shipment that keeps changing under it. */
export const MAX_WRITE_ATTEMPTS = 3;

/** Every write of a shipment retries the same way, and gives up with the same 409. */
const RACES: RaceOptions = {
  attempts: MAX_WRITE_ATTEMPTS,
  exhausted: () => new ConcurrentUpdateError('The shipment is being changed by another request; try again'),
};

export type Preparation = 'created' | 'createdCancelled' | 'alreadyExists';

/**
 * From OrderConfirmed: a PREPARING shipment, once per order (a redelivery finds it and changes
 * nothing). When the order's OrderCancelled overtook this event and was noted, the shipment
 * starts CANCELLED: where it would have ended had the events arrived in order.
 */
export async function prepareShipment(store: ShipmentStore, order: OrderRef): Promise<Preparation> {
  const preparing = newShipment(order, nowIso());
  return retryOnLostRace(async () => {
    const created = await store.create(preparing, { unlessOrderCancelled: true });
    if (created === 'created') return 'created';
    if (created === 'exists') return 'alreadyExists';
    if (created === 'orderCancelled') {
      // The note is never removed before TTL, so this create cannot race a PREPARING one.
      const late = await store.create(cancel(preparing, preparing.updatedAt)!, { unlessOrderCancelled: false });
      if (late === 'created') return 'createdCancelled';
      if (late === 'exists') return 'alreadyExists';
    }
    return LOST_RACE;
  }, RACES);
}

export type Cancellation = 'cancelled' | 'leftAsIs' | 'noted';

/**
 * From OrderCancelled: a PREPARING shipment is cancelled; a dispatched, delivered or already
 * cancelled one is left as it is. An order without a shipment (cancelled before it was confirmed,
 * or whose OrderConfirmed is still on its way) gets a note instead, which no reader sees; the
 * note and the shipment exclude each other (each is written only where the other is not), so a
 * concurrent OrderConfirmed either sees the note or is seen here.
 */
export async function cancelShipment(store: ShipmentStore, orderId: string): Promise<Cancellation> {
  return retryOnLostRace(async () => {
    const current = await store.get(orderId);
    if (current) {
      const cancelled = cancel(current, nowIso());
      if (!cancelled) return 'leftAsIs';
      if (await store.replace(cancelled, MOVES.cancel.from)) return 'cancelled';
    } else if ((await store.noteCancellation(orderId, nowIso())) === 'noted') {
      return 'noted';
    }
    // A shipment appeared, or changed, since the read: decide again from a fresh one.
    return LOST_RACE;
  }, RACES);
}

export interface Claim {
  /** The shipment is CANCELLED: by this claim, or by an earlier one of the same cancellation. */
  claimed: boolean;
  status: ShipmentStatus;
}

/**
 * Claims a CONFIRMED order's shipment for the order's cancellation, before anything is refunded
 * (see contracts/shipment-claim.ts): PREPARING → CANCELLED, written only while still PREPARING,
 * so of a dispatch and a claim at the same moment exactly one wins and the other sees the status
 * it left. A shipment that has left (DISPATCHED, DELIVERED) is not claimed. An order without a
 * shipment yet (its OrderConfirmed has not reached shipping) gets it at once, CANCELLED: the
 * OrderConfirmed that follows creates a shipment only where there is none, so it stays CANCELLED,
 * and a dispatch meanwhile is the 409 of a CANCELLED shipment, not a 404.
 */
export async function claimShipment(store: ShipmentStore, order: OrderRef): Promise<Claim> {
  const claimed: Claim = { claimed: true, status: MOVES.cancel.to };
  return retryOnLostRace(async () => {
    const now = nowIso();
    const current = await store.get(order.orderId);
    if (!current) {
      const tombstone = { ...newShipment(order, now), status: MOVES.cancel.to };
      if ((await store.create(tombstone, { unlessOrderCancelled: false })) === 'created') return claimed;
    } else if (current.status === MOVES.cancel.to) {
      return claimed;
    } else {
      const cancelled = cancel(current, now);
      if (!cancelled) return { claimed: false, status: current.status };
      if (await store.replace(cancelled, MOVES.cancel.from)) return claimed;
    }
    // A shipment appeared, or changed, since the read: decide again from a fresh one.
    return LOST_RACE;
  }, RACES);
}

export async function getShipment(store: ShipmentStore, orderId: string, caller: Caller): Promise<ShipmentView> {
  const shipment = await store.get(orderId);
  if (!shipment || !canSee(shipment, caller)) throw new ShipmentNotFoundError();
  return toShipmentView(shipment);
}

/** PREPARING → DISPATCHED, announcing ShipmentDispatched (the order becomes SHIPPED); 409 from any other status. */
export function dispatchShipment(store: ShipmentStore, orderId: string, carriage: Carriage, correlationId: string): Promise<ShipmentView> {
  return changeShipment(store, orderId, (current, now) => {
    const dispatched = dispatch(current, carriage, now);
    const data = { orderId, shipmentId: current.shipmentId, carrier: carriage.carrier, trackingNumber: carriage.trackingNumber };
    const event = domainEvent(ShipmentDispatched, data, correlationId);
    return { shipment: { ...dispatched, dispatchEventId: event.detail.metadata.eventId }, event };
  });
}

/** DISPATCHED → DELIVERED, announcing ShipmentDelivered (the order becomes DELIVERED); 409 from any other status. */
export function deliverShipment(store: ShipmentStore, orderId: string, correlationId: string): Promise<ShipmentView> {
  return changeShipment(store, orderId, (current, now) => {
    const delivered = deliver(current, now);
    const event = domainEvent(ShipmentDelivered, { orderId, shipmentId: current.shipmentId }, correlationId);
    return { shipment: { ...delivered, deliveryEventId: event.detail.metadata.eventId }, event };
  });
}

/**
 * Read, decide, and write only if the status is still the one decided from. Moves only go
 * forward, so a lost race usually ends in the 409 of the fresh read; two admins dispatching at
 * once get one 200 and one 409, and one event.
 */
async function changeShipment(
  store: ShipmentStore,
  orderId: string,
  change: (current: Shipment, now: string) => { shipment: Shipment; event: PendingEvent },
): Promise<ShipmentView> {
  return retryOnLostRace(async () => {
    const current = await store.get(orderId);
    if (!current) throw new ShipmentNotFoundError();
    const { shipment, event } = change(current, nowIso());
    return (await store.replace(shipment, current.status, event)) ? toShipmentView(shipment) : LOST_RACE;
  }, RACES);
}
