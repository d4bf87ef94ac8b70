import { describe, expect, it } from 'vitest';
import { OrderStatus, type PlaceOrderRequest } from '../../../functions/contracts/api/orders';
import type { ProductCopy } from '../../../functions/orders/domain/catalog-copy';
import { canonicalJson, idempotencyRecord, isLive, requestHash } from '../../../functions/orders/domain/idempotency';
import {
  CancellationRequestedError, cancellationPath, canMove, canSee, decideTransition, DeliveryBeforeDispatchError, historyOf,
  IllegalTransitionError, OrderNotCancellableError, toOrderView, type OrderEvent, type OrderState, type OrderTransition,
} from '../../../functions/orders/domain/order';
import { priceOrder, UnorderableProductsError, UnsupportedCurrencyError } from '../../../functions/orders/domain/pricing';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:00:05.000Z';

function pendingOrder(overrides: Partial<OrderState> = {}): OrderState {
  return {
    orderId: 'o-1', customerId: 'c-1', status: 'PENDING',
    items: [{ productId: 'p-1', name: 'Cup', quantity: 2, unitPriceCents: 1299 }],
    totalCents: 2598, currency: 'USD',
    shippingAddress: { name: 'Ada', line1: '1 Road', city: 'London', postalCode: 'N1', country: 'GB' },
    createdAt: T0, updatedAt: T0, version: 1, correlationId: 'corr-1',
    ...overrides,
  };
}

const confirm: OrderTransition = { to: 'CONFIRMED' };
const reject: OrderTransition = { to: 'REJECTED', reason: 'OUT_OF_STOCK' };
const cancel = (reason: 'PAYMENT_DECLINED' | 'PAYMENT_UNAVAILABLE' | 'CUSTOMER_REQUEST', refunded = false): OrderTransition =>
  ({ to: 'CANCELLED', reason, refunded });

describe('the order lifecycle', () => {
  const allowed: [string, OrderTransition][] = [
    ['PENDING', confirm], ['PENDING', reject], ['PENDING', cancel('PAYMENT_DECLINED')], ['PENDING', cancel('PAYMENT_UNAVAILABLE')],
    ['PENDING', cancel('CUSTOMER_REQUEST', true)], ['CONFIRMED', cancel('CUSTOMER_REQUEST', true)],
  ];

  it.each(allowed)('allows %s → %o', (from, transition) => {
    expect(canMove(from as OrderStatus, transition)).toBe(true);
  });

  it('allows nothing else among the saga transitions', () => {
    const transitions = [confirm, reject, cancel('PAYMENT_DECLINED'), cancel('PAYMENT_UNAVAILABLE'), cancel('CUSTOMER_REQUEST', true)];
    for (const from of OrderStatus.options) {
      for (const transition of transitions) {
        const expected = allowed.some(([f, t]) => f === from && JSON.stringify(t) === JSON.stringify(transition));
        expect(canMove(from, transition), `${from} → ${JSON.stringify(transition)}`).toBe(expected);
      }
    }
  });

  it('moves to the next status with the next version and describes the change as an event', () => {
    const decision = decideTransition(pendingOrder(), cancel('PAYMENT_DECLINED'), T1);
    expect(decision).toEqual({
      kind: 'moved',
      state: pendingOrder({ status: 'CANCELLED', statusReason: 'PAYMENT_DECLINED', updatedAt: T1, version: 2 }),
      change: { type: 'OrderCancelled', status: 'CANCELLED', reason: 'PAYMENT_DECLINED', refunded: false, at: T1 },
    });
    expect(decideTransition(pendingOrder(), confirm, T1)).toMatchObject({
      state: { status: 'CONFIRMED', version: 2 },
      change: { type: 'OrderConfirmed', status: 'CONFIRMED', at: T1 },
    });
    expect(decideTransition(pendingOrder(), reject, T1)).toMatchObject({ change: { type: 'OrderRejected', reason: 'OUT_OF_STOCK' } });
  });

  it('treats a move to the status the order already has as no change, whatever the reason', () => {
    expect(decideTransition(pendingOrder({ status: 'CONFIRMED' }), confirm, T1)).toEqual({ kind: 'unchanged' });
    expect(decideTransition(pendingOrder({ status: 'CANCELLED' }), cancel('CUSTOMER_REQUEST', true), T1)).toEqual({ kind: 'unchanged' });
    expect(decideTransition(pendingOrder({ status: 'REJECTED' }), reject, T1)).toEqual({ kind: 'unchanged' });
  });

  it('refuses a move the lifecycle forbids', () => {
    expect(() => decideTransition(pendingOrder({ status: 'REJECTED' }), confirm, T1)).toThrow(IllegalTransitionError);
    expect(() => decideTransition(pendingOrder({ status: 'CONFIRMED' }), cancel('PAYMENT_DECLINED'), T1)).toThrow(IllegalTransitionError);
    expect(() => decideTransition(pendingOrder({ status: 'SHIPPED' }), cancel('CUSTOMER_REQUEST', true), T1)).toThrow(IllegalTransitionError);
  });

  it('will not confirm an order whose customer asked to cancel, but will cancel or reject it', () => {
    const asked = pendingOrder({ cancelRequested: true });
    expect(() => decideTransition(asked, confirm, T1)).toThrow(CancellationRequestedError);
    expect(decideTransition(asked, cancel('CUSTOMER_REQUEST', true), T1).kind).toBe('moved');
    expect(decideTransition(asked, reject, T1).kind).toBe('moved');
  });

  it.each([
    ['PENDING', 'requestFromSaga'],
    ['CONFIRMED', 'startCancellationSaga'],
  ] as const)('cancels a %s order by %s', (status, path) => {
    expect(cancellationPath(pendingOrder({ status }))).toBe(path);
  });

  it.each(['SHIPPED', 'DELIVERED', 'CANCELLED', 'REJECTED'] as const)('cannot cancel a %s order (409)', (status) => {
    expect(() => cancellationPath(pendingOrder({ status }))).toThrow(OrderNotCancellableError);
  });

  it('shows an order to its customer and to admins only', () => {
    expect(canSee(pendingOrder(), { userId: 'c-1', role: 'customer' })).toBe(true);
    expect(canSee(pendingOrder(), { userId: 'c-2', role: 'customer' })).toBe(false);
    expect(canSee(pendingOrder(), { userId: 'a-1', role: 'admin' })).toBe(true);
  });
});

describe('following the shipment', () => {
  const ship: OrderTransition = { to: 'SHIPPED', carrier: 'UPS', trackingNumber: '1Z999' };
  const deliverIt: OrderTransition = { to: 'DELIVERED' };

  it('ships a CONFIRMED order, recording the carriage on its event', () => {
    expect(decideTransition(pendingOrder({ status: 'CONFIRMED', version: 2 }), ship, T1)).toEqual({
      kind: 'moved',
      state: pendingOrder({ status: 'SHIPPED', updatedAt: T1, version: 3 }),
      change: { type: 'OrderShipped', status: 'SHIPPED', carrier: 'UPS', trackingNumber: '1Z999', at: T1 },
    });
  });

  it('delivers a SHIPPED order', () => {
    expect(decideTransition(pendingOrder({ status: 'SHIPPED', version: 3 }), deliverIt, T1)).toEqual({
      kind: 'moved',
      state: pendingOrder({ status: 'DELIVERED', updatedAt: T1, version: 4 }),
      change: { type: 'OrderDelivered', status: 'DELIVERED', at: T1 },
    });
  });

  it('treats a repeated dispatch or delivery as no change, and a dispatch after the delivery too', () => {
    expect(decideTransition(pendingOrder({ status: 'SHIPPED' }), ship, T1)).toEqual({ kind: 'unchanged' });
    expect(decideTransition(pendingOrder({ status: 'DELIVERED' }), ship, T1)).toEqual({ kind: 'unchanged' });
    expect(decideTransition(pendingOrder({ status: 'DELIVERED' }), deliverIt, T1)).toEqual({ kind: 'unchanged' });
  });

  it('fails a delivery that overtook its dispatch with an error of its own, to be retried', () => {
    expect(() => decideTransition(pendingOrder({ status: 'CONFIRMED' }), deliverIt, T1)).toThrow(DeliveryBeforeDispatchError);
    expect(new DeliveryBeforeDispatchError().name).toBe('DeliveryBeforeDispatchError');
  });

  it.each(['PENDING', 'REJECTED', 'CANCELLED'] as const)('refuses to ship or deliver a %s order', (status) => {
    expect(() => decideTransition(pendingOrder({ status }), ship, T1)).toThrow(IllegalTransitionError);
    expect(() => decideTransition(pendingOrder({ status }), deliverIt, T1)).toThrow(IllegalTransitionError);
    expect(canMove(status, ship)).toBe(false);
  });

  it('lists SHIPPED and DELIVERED in the history, without the carriage', () => {
    const events: OrderEvent[] = [
      { seq: 1, type: 'OrderPlaced', status: 'PENDING', at: T0, eventId: 'e-1' },
      { seq: 2, type: 'OrderConfirmed', status: 'CONFIRMED', at: T0, eventId: 'e-2' },
      { seq: 3, type: 'OrderShipped', status: 'SHIPPED', carrier: 'UPS', trackingNumber: '1Z999', at: T1, eventId: 'e-3' },
      { seq: 4, type: 'OrderDelivered', status: 'DELIVERED', at: T1, eventId: 'e-4' },
    ];
    expect(historyOf(events)).toEqual([
      { status: 'PENDING', at: T0 }, { status: 'CONFIRMED', at: T0 }, { status: 'SHIPPED', at: T1 }, { status: 'DELIVERED', at: T1 },
    ]);
  });
});

describe('history', () => {
  const event = (seq: number, fields: Partial<OrderEvent>): OrderEvent =>
    ({ seq, type: 'OrderPlaced', status: 'PENDING', at: T0, eventId: `e-${seq}`, ...fields });

  it('lists one entry per event, oldest first, with a reason only where there is one', () => {
    const events = [
      event(2, { type: 'OrderConfirmed', status: 'CONFIRMED', at: T1 }),
      event(3, { type: 'OrderCancelled', status: 'CANCELLED', reason: 'CUSTOMER_REQUEST', refunded: true, at: '2026-01-02T00:00:00.000Z' }),
      event(1, {}),
    ];
    expect(historyOf(events)).toEqual([
      { status: 'PENDING', at: T0 },
      { status: 'CONFIRMED', at: T1 },
      { status: 'CANCELLED', reason: 'CUSTOMER_REQUEST', at: '2026-01-02T00:00:00.000Z' },
    ]);
  });

  it('builds the API view without internal fields', () => {
    const view = toOrderView(pendingOrder({ cancelRequested: true, needsOperator: true }), [event(1, {})]);
    expect(Object.keys(view).sort()).toEqual(
      ['createdAt', 'currency', 'customerId', 'history', 'items', 'orderId', 'shippingAddress', 'status', 'totalCents', 'updatedAt'],
    );
  });
});

describe('pricing', () => {
  const copies = new Map<string, ProductCopy>([
    ['cup', { productId: 'cup', status: 'ACTIVE', name: 'Cup', priceCents: 1299, currency: 'USD', version: 3 }],
    ['pot', { productId: 'pot', status: 'ACTIVE', name: 'Pot', priceCents: 4500, currency: 'USD', version: 1 }],
    ['old', { productId: 'old', status: 'ARCHIVED', version: 2 }],
    ['eur', { productId: 'eur', status: 'ACTIVE', name: 'Euro thing', priceCents: 100, currency: 'EUR', version: 1 }],
  ]);

  it('prices every line from the copy and sums the total', () => {
    expect(priceOrder([{ productId: 'cup', quantity: 3 }, { productId: 'pot', quantity: 1 }], copies)).toEqual({
      items: [
        { productId: 'cup', name: 'Cup', quantity: 3, unitPriceCents: 1299 },
        { productId: 'pot', name: 'Pot', quantity: 1, unitPriceCents: 4500 },
      ],
      totalCents: 3 * 1299 + 4500,
      currency: 'USD',
    });
  });

  it('refuses unknown and archived products, naming each with its line', () => {
    const error = (() => {
      try {
        priceOrder([{ productId: 'cup', quantity: 1 }, { productId: 'nope', quantity: 1 }, { productId: 'old', quantity: 2 }], copies);
      } catch (e) {
        return e;
      }
      return undefined;
    })() as UnorderableProductsError;
    expect(error).toBeInstanceOf(UnorderableProductsError);
    expect(error.status).toBe(422);
    expect(error.productIds).toEqual(['nope', 'old']);
    expect(error.errors!.map((e) => e.path)).toEqual(['body.items.1.productId', 'body.items.2.productId']);
  });

  it('refuses products of an unsupported or mixed currency', () => {
    expect(() => priceOrder([{ productId: 'eur', quantity: 1 }], copies)).toThrow(UnsupportedCurrencyError);
    expect(() => priceOrder([{ productId: 'cup', quantity: 1 }, { productId: 'eur', quantity: 1 }], copies)).toThrow(UnsupportedCurrencyError);
  });
});

describe('idempotency', () => {
  const body: PlaceOrderRequest = {
    items: [{ productId: 'a', quantity: 1 }, { productId: 'b', quantity: 2 }],
    paymentToken: 'tok_visa',
    shippingAddress: { name: 'Ada', line1: '1 Road', city: 'London', postalCode: 'N1', country: 'GB' },
  };

  it('writes canonical JSON: sorted keys at every level, undefined members left out', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"z":1}]},"b":1}');
  });

  it('hashes equal requests equally, whatever the order of keys or lines', () => {
    const reordered: PlaceOrderRequest = {
      shippingAddress: { country: 'GB', postalCode: 'N1', city: 'London', line1: '1 Road', name: 'Ada' },
      paymentToken: 'tok_visa',
      items: [{ quantity: 2, productId: 'b' }, { productId: 'a', quantity: 1 }],
    };
    expect(requestHash(reordered)).toBe(requestHash(body));
    expect(requestHash(body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes any difference differently', () => {
    const variants: PlaceOrderRequest[] = [
      { ...body, items: [{ productId: 'a', quantity: 2 }, { productId: 'b', quantity: 2 }] },
      { ...body, items: [{ productId: 'a', quantity: 1 }] },
      { ...body, paymentToken: 'tok_mastercard' },
      { ...body, shippingAddress: { ...body.shippingAddress, line2: 'Flat 1' } },
    ];
    const hashes = new Set([body, ...variants].map(requestHash));
    expect(hashes.size).toBe(variants.length + 1);
  });

  it('keeps a key for a day', () => {
    const record = idempotencyRecord('c-1', 'k', 'h', 'o-1', T0);
    const createdAt = Date.parse(T0) / 1000;
    expect(record.expiresAt).toBe(createdAt + 24 * 60 * 60);
    expect(isLive(record, createdAt + 24 * 60 * 60 - 1)).toBe(true);
    expect(isLive(record, createdAt + 24 * 60 * 60)).toBe(false);
  });
});
