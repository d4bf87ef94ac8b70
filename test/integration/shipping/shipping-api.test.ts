import { decodeTime } from 'ulid';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../../functions/shared/dynamo/document-client';
import { Shipment } from '../../../functions/contracts/api/shipping';
import { ShipmentDelivered, ShipmentDispatched } from '../../../functions/contracts/events/shipping';
import { call } from '../../support/http';
import {
  asAdmin, asCustomer, cancellationNote, carriage, customerId, deliverEvent, deliverShipment, dispatchShipment, errorPaths, getShipment,
  newOrderId, orderCancelled, orderConfirmed, outboxRecord, preparedShipment, problem, shipmentIn, shipmentItem, shippingFixture,
  type ShippingFixture,
} from './fixture';

let fx: ShippingFixture;

beforeAll(async () => {
  fx = await shippingFixture();
});

describe('OrderConfirmed (on-order-event)', () => {
  it('creates a PREPARING shipment with a ULID, for the order and its customer', async () => {
    const orderId = newOrderId();
    const customer = customerId();
    await deliverEvent(fx, orderConfirmed(orderId, customer));
    const item = await shipmentItem(fx, orderId);
    expect(item).toMatchObject({ orderId, customerId: customer, status: 'PREPARING', kind: 'shipment' });
    expect(item!.shipmentId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(() => decodeTime(item!.shipmentId as string)).not.toThrow();
    expect(item!.carrier).toBeUndefined();

    const response = await getShipment(fx, orderId, asCustomer(customer));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ shipmentId: item!.shipmentId, orderId, status: 'PREPARING', updatedAt: item!.updatedAt });
  });

  it('creates it with one conditional Put (a transaction would bill twice, a check of a second item more), and a late one CANCELLED over the note', async () => {
    const send = vi.spyOn(documentClient(), 'send');
    const sent = () => send.mock.calls.map(([command]) => command.constructor.name);
    try {
      const orderId = newOrderId();
      await deliverEvent(fx, orderConfirmed(orderId, customerId()));
      expect(sent()).toEqual(['PutCommand']);

      const cancelledFirst = newOrderId();
      const customer = customerId();
      send.mockClear();
      await deliverEvent(fx, orderCancelled(cancelledFirst, customer));
      // A note where no shipment is: one Put too, read by nobody as a shipment.
      expect(sent()).toEqual(['GetCommand', 'PutCommand']);
      expect(await shipmentItem(fx, cancelledFirst)).toBeUndefined();
      expect(await cancellationNote(fx, cancelledFirst)).toMatchObject({ orderId: cancelledFirst });
      await deliverEvent(fx, orderConfirmed(cancelledFirst, customer));
      expect(await shipmentItem(fx, cancelledFirst)).toMatchObject({ status: 'CANCELLED' });
      // The shipment took the note's place: nothing of the note is left on it (no TTL).
      expect(await shipmentItem(fx, cancelledFirst)).not.toHaveProperty('ttl');
    } finally {
      send.mockRestore();
    }
  });

  it('is idempotent: the same event again, or another OrderConfirmed of the order, changes nothing', async () => {
    const orderId = newOrderId();
    const customer = customerId();
    const event = orderConfirmed(orderId, customer);
    await deliverEvent(fx, event);
    const first = await shipmentItem(fx, orderId);
    await deliverEvent(fx, event);
    await deliverEvent(fx, orderConfirmed(orderId, customer));
    expect(await shipmentItem(fx, orderId)).toEqual(first);
  });

  it('creates one shipment for parallel deliveries of the same event', async () => {
    const orderId = newOrderId();
    const event = orderConfirmed(orderId, customerId());
    await Promise.all(Array.from({ length: 5 }, () => deliverEvent(fx, event)));
    const stored = await shipmentItem(fx, orderId);
    await deliverEvent(fx, event);
    expect(await shipmentItem(fx, orderId)).toEqual(stored);
    expect(stored!.status).toBe('PREPARING');
  });

  it('never brings a dispatched shipment back to PREPARING when redelivered', async () => {
    const { orderId, customer } = await shipmentIn(fx, 'DISPATCHED');
    const before = await shipmentItem(fx, orderId);
    await deliverEvent(fx, orderConfirmed(orderId, customer));
    expect(await shipmentItem(fx, orderId)).toEqual(before);
  });

  it('fails, so Lambda retries and dead-letters it, on an event that breaks its contract, creating nothing', async () => {
    const orderId = newOrderId();
    const event = orderConfirmed(orderId, customerId());
    const broken = { ...event, detail: { ...(event.detail as object), data: { orderId } } };
    await expect(deliverEvent(fx, broken)).rejects.toThrow();
    expect(await shipmentItem(fx, orderId)).toBeUndefined();
  });

  it('fails on an event it does not subscribe to', async () => {
    const event = { ...orderConfirmed(newOrderId(), customerId()), 'detail-type': 'OrderShipped' };
    await expect(deliverEvent(fx, event)).rejects.toThrow('No handler');
  });
});

describe('OrderCancelled (on-order-event)', () => {
  it('cancels a PREPARING shipment, once: a redelivery changes nothing', async () => {
    const { orderId, customer } = await preparedShipment(fx);
    const before = await shipmentItem(fx, orderId);
    const event = orderCancelled(orderId, customer);
    await deliverEvent(fx, event);
    const cancelled = await shipmentItem(fx, orderId);
    expect(cancelled).toMatchObject({ ...before, status: 'CANCELLED', updatedAt: expect.any(String) });
    expect(String(cancelled!.updatedAt) >= String(before!.updatedAt)).toBe(true);
    await deliverEvent(fx, event);
    await deliverEvent(fx, orderCancelled(orderId, customer));
    expect(await shipmentItem(fx, orderId)).toEqual(cancelled);
    expect((await getShipment(fx, orderId, asCustomer(customer))).body.status).toBe('CANCELLED');
  });

  it.each(['DISPATCHED', 'DELIVERED'] as const)('leaves a %s shipment as it is', async (status) => {
    const { orderId, customer } = await shipmentIn(fx, status);
    const before = await shipmentItem(fx, orderId);
    await deliverEvent(fx, orderCancelled(orderId, customer));
    expect(await shipmentItem(fx, orderId)).toEqual(before);
  });

  it.each(['PAYMENT_DECLINED', 'PAYMENT_UNAVAILABLE', 'CUSTOMER_REQUEST'] as const)(
    'creates no shipment for an order cancelled before its confirmation (%s)',
    async (reason) => {
      const orderId = newOrderId();
      const customer = customerId();
      const event = orderCancelled(orderId, customer, reason);
      await deliverEvent(fx, event);
      await deliverEvent(fx, event);
      expect(await shipmentItem(fx, orderId)).toBeUndefined();
      expect((await getShipment(fx, orderId, asCustomer(customer))).status).toBe(404);
      expect((await getShipment(fx, orderId, asAdmin())).status).toBe(404);
    },
  );

  it('keeps the first note of a cancellation without a shipment, and lets it expire by TTL', async () => {
    const orderId = newOrderId();
    const event = orderCancelled(orderId, customerId());
    await deliverEvent(fx, event);
    const note = await cancellationNote(fx, orderId);
    expect(note).toMatchObject({ orderId, kind: 'orderCancelledNote' });
    expect(note!.ttl).toBe(Math.floor(Date.parse(note!.at as string) / 1000) + 30 * 24 * 60 * 60);
    await deliverEvent(fx, event);
    expect(await cancellationNote(fx, orderId)).toEqual(note);
  });

  it('creates the shipment CANCELLED when the OrderConfirmed of a cancelled order arrives after its OrderCancelled', async () => {
    const orderId = newOrderId();
    const customer = customerId();
    await deliverEvent(fx, orderCancelled(orderId, customer));
    await deliverEvent(fx, orderConfirmed(orderId, customer));
    expect(await shipmentItem(fx, orderId)).toMatchObject({ orderId, customerId: customer, status: 'CANCELLED' });
    const dispatched = await dispatchShipment(fx, orderId, carriage);
    expect(dispatched.status).toBe(409);
    expect(problem(dispatched).type).toContain('shipment-not-preparing');
  });

  it('ends CANCELLED whichever of OrderConfirmed and OrderCancelled is handled first, even at the same moment', async () => {
    const orders = Array.from({ length: 6 }, () => ({ orderId: newOrderId(), customer: customerId() }));
    await Promise.all(
      orders.flatMap(({ orderId, customer }, i) => {
        const both = [deliverEvent(fx, orderConfirmed(orderId, customer)), deliverEvent(fx, orderCancelled(orderId, customer))];
        return i % 2 === 0 ? both : both.reverse();
      }),
    );
    for (const { orderId } of orders) expect((await shipmentItem(fx, orderId))?.status, orderId).toBe('CANCELLED');
  });
});

describe('GET /shipments/{orderId}', () => {
  it("shows the order's customer and any admin the shipment, exactly as the contract describes it", async () => {
    const { orderId, customer } = await shipmentIn(fx, 'DISPATCHED');
    const response = await getShipment(fx, orderId, asCustomer(customer));
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(Shipment.strict().parse(response.body)).toEqual(response.body);
    expect(response.body).toMatchObject({ orderId, status: 'DISPATCHED', ...carriage });
    expect((await getShipment(fx, orderId, asAdmin())).body).toEqual(response.body);
  });

  it("answers 404 to another customer, exactly as for an order without a shipment, never 403", async () => {
    const { orderId } = await preparedShipment(fx);
    const stranger = customerId();
    const forbidden = await getShipment(fx, orderId, asCustomer(stranger));
    const unknown = await getShipment(fx, newOrderId(), asCustomer(stranger));
    for (const response of [forbidden, unknown]) {
      expect(response.status).toBe(404);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
    }
    const { correlationId: _a, ...forbiddenProblem } = problem(forbidden);
    const { correlationId: _b, ...unknownProblem } = problem(unknown);
    expect(forbiddenProblem).toEqual(unknownProblem);
  });

  it('answers 404 to an admin for an unknown order', async () => {
    expect((await getShipment(fx, newOrderId(), asAdmin())).status).toBe(404);
  });

  it('answers 401 without a token, or with a malformed or tampered one', async () => {
    const { orderId, customer } = await preparedShipment(fx);
    const token = asCustomer(customer).Authorization!;
    const tampered = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const headers of [{}, { Authorization: 'Bearer not.a.jwt' }, { Authorization: tampered }] as Record<string, string>[]) {
      const response = await getShipment(fx, orderId, headers);
      expect(response.status).toBe(401);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
    }
  });
});

describe('POST /shipments/{orderId}/dispatch', () => {
  it('moves a PREPARING shipment to DISPATCHED with its carrier and tracking number, and answers 200 with it', async () => {
    const { orderId, customer } = await preparedShipment(fx);
    const before = await shipmentItem(fx, orderId);
    const response = await dispatchShipment(fx, orderId, { carrier: '  UPS ', trackingNumber: ' 1Z999AA10123456784 ' });
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.body).toEqual({
      shipmentId: before!.shipmentId, orderId, status: 'DISPATCHED', ...carriage, updatedAt: expect.any(String),
    });
    expect(Shipment.strict().parse(response.body)).toEqual(response.body);
    expect((await getShipment(fx, orderId, asCustomer(customer))).body).toEqual(response.body);
  });

  it('records ShipmentDispatched in the outbox, in the same write, valid against its contract', async () => {
    const { orderId } = await preparedShipment(fx);
    const response = await call(fx.api.dispatchShipment, {
      method: 'POST', resource: '/shipments/{orderId}/dispatch', path: `/shipments/${orderId}/dispatch`, pathParameters: { orderId },
      body: carriage, headers: { ...asAdmin(), 'X-Correlation-Id': 'dispatch-trace-1' },
    });
    expect(response.status).toBe(200);
    const item = await shipmentItem(fx, orderId);
    const record = await outboxRecord(fx, item!.dispatchEventId as string, ShipmentDispatched);
    expect(record.source).toBe(ShipmentDispatched.source);
    expect(record.detailType).toBe(ShipmentDispatched.detailType);
    expect(record.detail.data).toEqual({ orderId, shipmentId: item!.shipmentId, ...carriage });
    expect(record.detail.metadata).toMatchObject({ eventId: item!.dispatchEventId, correlationId: 'dispatch-trace-1', version: 1 });
  });

  it.each(['DISPATCHED', 'DELIVERED', 'CANCELLED'] as const)('answers 409 shipment-not-preparing for a %s shipment, changing nothing', async (status) => {
    const { orderId } = await shipmentIn(fx, status);
    const before = await shipmentItem(fx, orderId);
    const response = await dispatchShipment(fx, orderId, { carrier: 'DHL', trackingNumber: 'JD014600006281230704' });
    expect(response.status).toBe(409);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(problem(response)).toMatchObject({ type: 'https://commerce.dev/problems/shipment-not-preparing', status: 409 });
    expect(problem(response).detail).toContain(status);
    expect(await shipmentItem(fx, orderId)).toEqual(before);
  });

  it('answers 404 for an order without a shipment', async () => {
    const response = await dispatchShipment(fx, newOrderId(), carriage);
    expect(response.status).toBe(404);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
  });

  it('dispatches once under parallel requests: one 200, the others 409, one event', async () => {
    const { orderId } = await preparedShipment(fx);
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, i) => dispatchShipment(fx, orderId, { carrier: 'UPS', trackingNumber: `1Z${i}` })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409]);
    const winner = responses.find((r) => r.status === 200)!;
    const item = await shipmentItem(fx, orderId);
    expect(item).toMatchObject({ status: 'DISPATCHED', trackingNumber: winner.body.trackingNumber });
    const record = await outboxRecord(fx, item!.dispatchEventId as string, ShipmentDispatched);
    expect(record.detail.data.trackingNumber).toBe(winner.body.trackingNumber);
  });

  describe('answers 400 naming every failing field, before touching anything', () => {
    it.each([
      ['no carrier', { trackingNumber: '1Z' }, ['body.carrier']],
      ['no tracking number', { carrier: 'UPS' }, ['body.trackingNumber']],
      ['blank fields', { carrier: '   ', trackingNumber: '' }, ['body.carrier', 'body.trackingNumber']],
      ['a carrier over 50 characters', { carrier: 'x'.repeat(51), trackingNumber: '1Z' }, ['body.carrier']],
      ['a tracking number over 100 characters', { carrier: 'UPS', trackingNumber: '9'.repeat(101) }, ['body.trackingNumber']],
      ['numbers for strings', { carrier: 7, trackingNumber: 123 }, ['body.carrier', 'body.trackingNumber']],
      ['control characters', { carrier: 'UPS\r\nX', trackingNumber: '1Z\u001b[2J' }, ['body.carrier', 'body.trackingNumber']],
      ['an unknown field', { ...carriage, status: 'DELIVERED' }, ['body']],
    ])('%s', async (_label, body, paths) => {
      const { orderId } = await preparedShipment(fx);
      const response = await dispatchShipment(fx, orderId, body);
      expect(response.status).toBe(400);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
      expect(errorPaths(response)).toEqual(paths);
      expect((await shipmentItem(fx, orderId))!.status).toBe('PREPARING');
    });

    it('no body, or malformed JSON', async () => {
      const { orderId } = await preparedShipment(fx);
      expect(errorPaths(await dispatchShipment(fx, orderId, undefined))).toEqual(['body']);
      const malformed = await call(fx.api.dispatchShipment, {
        method: 'POST', resource: '/shipments/{orderId}/dispatch', path: `/shipments/${orderId}/dispatch`, pathParameters: { orderId },
        rawBody: '{"carrier":', headers: asAdmin(),
      });
      expect(malformed.status).toBe(400);
      expect(problem(malformed).type).toContain('malformed-json');
      expect((await shipmentItem(fx, orderId))!.status).toBe('PREPARING');
    });
  });

  it('answers 401 without a valid token', async () => {
    const { orderId } = await preparedShipment(fx);
    for (const headers of [{}, { Authorization: 'Bearer not.a.jwt' }, { Authorization: 'Basic abc' }] as Record<string, string>[]) {
      expect((await dispatchShipment(fx, orderId, carriage, headers)).status).toBe(401);
    }
    expect((await shipmentItem(fx, orderId))!.status).toBe('PREPARING');
  });

  it("answers 403 to a customer, the order's own included, before validating the body, changing nothing", async () => {
    const { orderId, customer } = await preparedShipment(fx);
    for (const body of [carriage, { bogus: true }]) {
      const response = await dispatchShipment(fx, orderId, body, asCustomer(customer));
      expect(response.status).toBe(403);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
    }
    expect((await dispatchShipment(fx, newOrderId(), carriage, asCustomer(customer))).status).toBe(403);
    expect((await shipmentItem(fx, orderId))!.status).toBe('PREPARING');
  });
});

describe('POST /shipments/{orderId}/deliver', () => {
  it('moves a DISPATCHED shipment to DELIVERED, keeping its carriage, and records ShipmentDelivered', async () => {
    const { orderId, customer } = await shipmentIn(fx, 'DISPATCHED');
    const dispatched = await shipmentItem(fx, orderId);
    const response = await call(fx.api.deliverShipment, {
      method: 'POST', resource: '/shipments/{orderId}/deliver', path: `/shipments/${orderId}/deliver`, pathParameters: { orderId },
      headers: { ...asAdmin(), 'X-Correlation-Id': 'deliver-trace-1' },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      shipmentId: dispatched!.shipmentId, orderId, status: 'DELIVERED', ...carriage, updatedAt: expect.any(String),
    });
    expect((await getShipment(fx, orderId, asCustomer(customer))).body).toEqual(response.body);

    const item = await shipmentItem(fx, orderId);
    expect(item!.dispatchEventId).toBe(dispatched!.dispatchEventId);
    const record = await outboxRecord(fx, item!.deliveryEventId as string, ShipmentDelivered);
    expect(record.source).toBe(ShipmentDelivered.source);
    expect(record.detail.data).toEqual({ orderId, shipmentId: dispatched!.shipmentId });
    expect(record.detail.metadata.correlationId).toBe('deliver-trace-1');
  });

  it.each(['PREPARING', 'DELIVERED', 'CANCELLED'] as const)('answers 409 shipment-not-dispatched for a %s shipment, changing nothing', async (status) => {
    const { orderId } = await shipmentIn(fx, status);
    const before = await shipmentItem(fx, orderId);
    const response = await deliverShipment(fx, orderId);
    expect(response.status).toBe(409);
    expect(problem(response)).toMatchObject({ type: 'https://commerce.dev/problems/shipment-not-dispatched', status: 409 });
    expect(await shipmentItem(fx, orderId)).toEqual(before);
  });

  it('delivers once under parallel requests: one 200, the others 409', async () => {
    const { orderId } = await shipmentIn(fx, 'DISPATCHED');
    const statuses = (await Promise.all(Array.from({ length: 4 }, () => deliverShipment(fx, orderId)))).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
  });

  it('answers 404 for an order without a shipment, 401 without a token and 403 to a customer', async () => {
    expect((await deliverShipment(fx, newOrderId())).status).toBe(404);
    const { orderId, customer } = await shipmentIn(fx, 'DISPATCHED');
    expect((await deliverShipment(fx, orderId, {})).status).toBe(401);
    expect((await deliverShipment(fx, orderId, asCustomer(customer))).status).toBe(403);
    expect((await shipmentItem(fx, orderId))!.status).toBe('DISPATCHED');
  });
});
