import { beforeAll, describe, expect, it } from 'vitest';
import { ClaimShipmentResult } from '../../../functions/contracts/shipment-claim';
import {
  asAdmin, asCustomer, carriage, claimShipment, customerId, deliverEvent, dispatchShipment, getShipment, newOrderId, orderCancelled,
  orderConfirmed, preparedShipment, problem, shipmentIn, shipmentItem, shippingFixture, type ShippingFixture,
} from './fixture';
import { lambdaContext } from '../../support/http';

let fx: ShippingFixture;

beforeAll(async () => {
  fx = await shippingFixture();
});

const claim = async (orderId: string, customer: string) => ClaimShipmentResult.parse(await claimShipment(fx, orderId, customer));

describe('the claim of a shipment for a cancellation (claim-shipment)', () => {
  it('cancels a PREPARING shipment, which can then no longer be dispatched; a repeated claim changes nothing', async () => {
    const { orderId, customer } = await preparedShipment(fx);
    const before = await shipmentItem(fx, orderId);
    expect(await claim(orderId, customer)).toEqual({ orderId, claimed: true, status: 'CANCELLED' });
    const cancelled = await shipmentItem(fx, orderId);
    expect(cancelled).toMatchObject({ ...before, status: 'CANCELLED', updatedAt: expect.any(String) });

    expect(await claim(orderId, customer)).toEqual({ orderId, claimed: true, status: 'CANCELLED' });
    expect(await shipmentItem(fx, orderId)).toEqual(cancelled);
    const dispatched = await dispatchShipment(fx, orderId, carriage);
    expect(dispatched.status).toBe(409);
    expect(problem(dispatched).type).toContain('shipment-not-preparing');
    expect(await shipmentItem(fx, orderId)).toEqual(cancelled);
  });

  it.each(['DISPATCHED', 'DELIVERED'] as const)('does not claim a %s shipment, and leaves it as it is', async (status) => {
    const { orderId, customer } = await shipmentIn(fx, status);
    const before = await shipmentItem(fx, orderId);
    expect(await claim(orderId, customer)).toEqual({ orderId, claimed: false, status });
    expect(await shipmentItem(fx, orderId)).toEqual(before);
  });

  it('creates the shipment CANCELLED when OrderConfirmed has not reached shipping yet, and that OrderConfirmed leaves it so', async () => {
    const orderId = newOrderId();
    const customer = customerId();
    expect(await claim(orderId, customer)).toEqual({ orderId, claimed: true, status: 'CANCELLED' });
    const tombstone = await shipmentItem(fx, orderId);
    expect(tombstone).toMatchObject({ orderId, customerId: customer, status: 'CANCELLED', kind: 'shipment' });
    // Visible to its customer, and not dispatchable: a 409 rather than the 404 of no shipment.
    expect((await getShipment(fx, orderId, asCustomer(customer))).body.status).toBe('CANCELLED');
    expect((await dispatchShipment(fx, orderId, carriage)).status).toBe(409);

    const confirmed = orderConfirmed(orderId, customer);
    await deliverEvent(fx, confirmed);
    await deliverEvent(fx, confirmed);
    expect(await shipmentItem(fx, orderId)).toEqual(tombstone);
    // The cancellation's own OrderCancelled, later, finds nothing to do.
    await deliverEvent(fx, orderCancelled(orderId, customer));
    expect(await shipmentItem(fx, orderId)).toEqual(tombstone);
    expect((await getShipment(fx, orderId, asAdmin())).body.status).toBe('CANCELLED');
  });

  it('lets exactly one of a claim and a dispatch at the same moment win', async () => {
    const shipments = await Promise.all(Array.from({ length: 6 }, () => preparedShipment(fx)));
    const outcomes = await Promise.all(
      shipments.map(async ({ orderId, customer }) => {
        const [claimed, dispatched] = await Promise.all([claim(orderId, customer), dispatchShipment(fx, orderId, carriage)]);
        return { claimed, dispatched, stored: await shipmentItem(fx, orderId) };
      }),
    );
    for (const { claimed, dispatched, stored } of outcomes) {
      if (claimed.claimed) {
        expect(dispatched.status).toBe(409);
        expect(stored!.status).toBe('CANCELLED');
      } else {
        expect(dispatched.status).toBe(200);
        expect(claimed.status).toBe('DISPATCHED');
        expect(stored!.status).toBe('DISPATCHED');
      }
    }
  });

  it('ends CANCELLED whichever of the claim and OrderConfirmed comes first, even at the same moment', async () => {
    const orders = Array.from({ length: 6 }, () => ({ orderId: newOrderId(), customer: customerId() }));
    await Promise.all(
      orders.flatMap(({ orderId, customer }, i) => {
        const both = [claim(orderId, customer), deliverEvent(fx, orderConfirmed(orderId, customer))];
        return i % 2 === 0 ? both : both.reverse();
      }),
    );
    for (const { orderId } of orders) expect((await shipmentItem(fx, orderId))?.status, orderId).toBe('CANCELLED');
  });

  it('fails on an input that breaks its contract, writing nothing', async () => {
    const orderId = newOrderId();
    await expect(fx.claimShipment({ orderId }, lambdaContext())).rejects.toThrow();
    expect(await shipmentItem(fx, orderId)).toBeUndefined();
  });
});
