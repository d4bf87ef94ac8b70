import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Order as OrderSchema, type Order } from '../../../functions/contracts/api/orders';
import { OrderPlaced } from '../../../functions/contracts/events/orders';
import { encodeCursor } from '../../../functions/shared/cursor';
import { lambdaContext } from '../../support/http';
import {
  address, answerShipmentClaims, asAdmin, asCustomer, cancelOrder, CANCELLATION_SAGA_ARN, CLAIM_SHIPMENT_ARN, customerId, errorPaths, getOrder, listOrders,
  orderBody, orderItems, ordersFixture, outboxOf, placedOrder, placeOrder, pricedOrder, problem, productArchived, resetStepFunctions, runTask,
  seedProduct, shipmentClaims, startedExecutions, transition, uniqueId, type OrdersFixture,
} from './fixture';

let fx: OrdersFixture;

beforeAll(async () => (fx = await ordersFixture()));

beforeEach(() => resetStepFunctions(fx));
beforeEach(() => answerShipmentClaims(fx.lambda, { claimed: true, status: 'CANCELLED' }));

describe('POST /orders', () => {
  it('answers 202 with the PENDING order priced from the catalog copy and a Location, and starts no saga itself', async () => {
    const cup = await seedProduct(fx, { name: 'Cup', priceCents: 1299 });
    const saucer = await seedProduct(fx, { name: 'Saucer', priceCents: 450 });
    const customer = customerId();
    const response = await placeOrder(
      fx,
      orderBody([{ productId: cup.productId, quantity: 2 }, { productId: saucer.productId, quantity: 3 }]),
      { ...asCustomer(customer), 'X-Correlation-Id': 'place-trace-1' },
    );

    expect(response.status).toBe(202);
    const order = OrderSchema.parse(response.body);
    expect(response.headers.Location).toBe(`/orders/${order.orderId}`);
    expect(order).toEqual({
      orderId: expect.any(String),
      customerId: customer,
      status: 'PENDING',
      items: [
        { productId: cup.productId, name: 'Cup', quantity: 2, unitPriceCents: 1299 },
        { productId: saucer.productId, name: 'Saucer', quantity: 3, unitPriceCents: 450 },
      ],
      totalCents: 2 * 1299 + 3 * 450,
      currency: 'USD',
      shippingAddress: address,
      createdAt: expect.any(String),
      updatedAt: order.createdAt,
      history: [{ status: 'PENDING', at: order.createdAt }],
    });

    // The saga starts from the OrderPlaced event (see order-placed.test.ts).
    expect(startedExecutions(fx)).toEqual([]);
  });

  it('answers 202 and stores the order with its OrderPlaced even when Step Functions is down: it never calls it', async () => {
    fx.sfn.on(StartExecutionCommand).rejects(new Error('Step Functions is unavailable'));
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    expect(fx.sfn.commandCalls(StartExecutionCommand)).toEqual([]);
    expect((await getOrder(fx, order.orderId, asCustomer(customer))).body).toEqual(order);
    expect((await outboxOf(fx, order.orderId)).map((record) => record.detailType)).toEqual([OrderPlaced.detailType]);
  });

  it('stores the state, the first event and the payment token, and records OrderPlaced in the outbox, valid against its contract', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer, 4);
    const items = await orderItems(fx, order.orderId);
    expect(items.map((item) => item.sk).sort()).toEqual(['EVENT#000001', 'PAYMENT', 'STATE']);
    // The token is kept for the saga's start only: not on the state (nor its index), nor in any event.
    expect(items.find((item) => item.sk === 'PAYMENT')).toMatchObject({ paymentToken: 'tok_visa' });
    expect(JSON.stringify(items.filter((item) => item.sk !== 'PAYMENT'))).not.toContain('tok_visa');
    expect(JSON.stringify(await outboxOf(fx, order.orderId))).not.toContain('tok_visa');
    expect(items.find((item) => item.sk === 'STATE')).toMatchObject({
      status: 'PENDING', version: 1, gsi1pk: `CUSTOMER#${customer}`, gsi1sk: `${order.createdAt}#${order.orderId}`,
    });

    const outbox = await outboxOf(fx, order.orderId);
    expect(outbox.map((record) => record.detailType)).toEqual([OrderPlaced.detailType]);
    const detail = OrderPlaced.detail.parse(outbox[0]!.detail);
    expect(detail.data).toEqual(pricedOrder(order, customer));
  });

  it('answers 422 naming every unknown or archived product, and stores and starts nothing', async () => {
    const known = await seedProduct(fx);
    const archived = await seedProduct(fx);
    await fx.onCatalogEvent(productArchived(archived.productId, 2), lambdaContext());
    const unknown = uniqueId('01UNKNOWN');
    const customer = customerId();

    const response = await placeOrder(
      fx,
      orderBody([
        { productId: known.productId, quantity: 1 },
        { productId: unknown, quantity: 1 },
        { productId: archived.productId, quantity: 1 },
      ]),
      asCustomer(customer),
    );
    expect(response.status).toBe(422);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(problem(response).type).toContain('unorderable-products');
    expect(problem(response).detail).toContain(unknown);
    expect(problem(response).detail).toContain(archived.productId);
    expect(problem(response).detail).not.toContain(known.productId);
    expect(errorPaths(response)).toEqual(['body.items.1.productId', 'body.items.2.productId']);

    expect(startedExecutions(fx)).toEqual([]);
    expect((await listOrders(fx, asCustomer(customer))).body.items).toEqual([]);
  });

  it('answers 422 for a product only archived (its archive overtook its creation)', async () => {
    const productId = uniqueId('01LATE');
    await fx.onCatalogEvent(productArchived(productId, 2), lambdaContext());
    await seedProduct(fx, { productId });
    const response = await placeOrder(fx, orderBody([{ productId, quantity: 1 }]), asCustomer(customerId()));
    expect(response.status).toBe(422);
  });

  describe('answers 400 naming the failing field, before touching anything', () => {
    let productId: string;
    beforeAll(async () => {
      productId = (await seedProduct(fx)).productId;
    });

    const expect400 = async (body: unknown, paths: string[], headers: Record<string, string> = {}) => {
      const response = await placeOrder(fx, body, { ...asCustomer(customerId()), ...headers });
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
      expect(errorPaths(response)).toEqual(paths);
      expect(startedExecutions(fx)).toEqual([]);
    };

    it.each([0, 101, 2.5, -1])('quantity %s', async (quantity) => {
      await expect400(orderBody([{ productId, quantity }]), ['body.items.0.quantity']);
    });

    it('no items, and 51 items', async () => {
      await expect400(orderBody([]), ['body.items']);
      const many = Array.from({ length: 51 }, (_, i) => ({ productId: `${productId}-${i}`, quantity: 1 }));
      await expect400(orderBody(many), ['body.items']);
    });

    it('the same product twice', async () => {
      await expect400(orderBody([{ productId, quantity: 1 }, { productId, quantity: 2 }]), ['body.items']);
    });

    // Two capitals are not enough: user-assigned (AA, XX, ZZ), reserved (UK, EU) and withdrawn (YU) codes name no country.
    it.each(['gb', 'GBR', 'G', '12', 'XX', 'ZZ', 'AA', 'UK', 'EU', 'YU'])('country %s', async (country) => {
      await expect400(orderBody([{ productId, quantity: 1 }], { shippingAddress: { ...address, country } }), ['body.shippingAddress.country']);
    });

    it.each(['line1', 'line2', 'city'])('a control character or lone surrogate in the address %s', async (field) => {
      for (const value of ['1 Main St\r\nX-Injected: 1', 'Main\u0000St', 'Main\u009bSt', 'Main\udc00St']) {
        await expect400(orderBody([{ productId, quantity: 1 }], { shippingAddress: { ...address, [field]: value } }), [`body.shippingAddress.${field}`]);
      }
    });

    it('a client-supplied price, or any unknown field', async () => {
      await expect400(orderBody([{ productId, quantity: 1, unitPriceCents: 1 } as { productId: string; quantity: number }]), ['body.items.0']);
      await expect400(orderBody([{ productId, quantity: 1 }], { totalCents: 1 }), ['body']);
    });

    it('missing payment token and address, or no body at all', async () => {
      await expect400({ items: [{ productId, quantity: 1 }] }, ['body.paymentToken', 'body.shippingAddress']);
      await expect400(undefined, ['body']);
    });

    it('an Idempotency-Key longer than 64 characters', async () => {
      await expect400(orderBody([{ productId, quantity: 1 }]), ['header.idempotency-key'], { 'Idempotency-Key': 'k'.repeat(65) });
    });
  });

  it('answers 401 without a valid token', async () => {
    const { productId } = await seedProduct(fx);
    const anonymous = await placeOrder(fx, orderBody([{ productId, quantity: 1 }]), {});
    expect(anonymous.status).toBe(401);
    const forged = await placeOrder(fx, orderBody([{ productId, quantity: 1 }]), { Authorization: 'Bearer not.a.token' });
    expect(forged.status).toBe(401);
    expect(startedExecutions(fx)).toEqual([]);
  });

  describe('Idempotency-Key', () => {
    it('replays the same order and status for the same key and body, storing and starting nothing more', async () => {
      const { productId } = await seedProduct(fx);
      const customer = customerId();
      const headers = { ...asCustomer(customer), 'Idempotency-Key': uniqueId('key') };
      const body = orderBody([{ productId, quantity: 2 }]);

      const first = await placeOrder(fx, body, headers);
      const again = await placeOrder(fx, body, headers);
      expect(first.status).toBe(202);
      expect(again.status).toBe(202);
      expect(again.body).toEqual(first.body);
      expect(again.headers.Location).toBe(`/orders/${first.body.orderId}`);

      expect(startedExecutions(fx)).toEqual([]);
      expect((await listOrders(fx, asCustomer(customer))).body.items.map((o) => o.orderId)).toEqual([first.body.orderId]);
      expect(await outboxOf(fx, first.body.orderId)).toHaveLength(1);
    });

    it('replays the stored order even after its product was archived or repriced', async () => {
      const product = await seedProduct(fx, { priceCents: 1000 });
      const headers = { ...asCustomer(customerId()), 'Idempotency-Key': uniqueId('key') };
      const body = orderBody([{ productId: product.productId, quantity: 1 }]);
      const first = await placeOrder(fx, body, headers);
      await fx.onCatalogEvent(productArchived(product.productId, 2), lambdaContext());
      const again = await placeOrder(fx, body, headers);
      expect(again.status).toBe(202);
      expect(again.body).toEqual(first.body);
    });

    it('answers the same order for the same lines in another order', async () => {
      const [a, b] = [await seedProduct(fx), await seedProduct(fx)];
      const headers = { ...asCustomer(customerId()), 'Idempotency-Key': uniqueId('key') };
      const first = await placeOrder(fx, orderBody([{ productId: a.productId, quantity: 1 }, { productId: b.productId, quantity: 2 }]), headers);
      const again = await placeOrder(fx, orderBody([{ productId: b.productId, quantity: 2 }, { productId: a.productId, quantity: 1 }]), headers);
      expect(again.status).toBe(202);
      expect(again.body.orderId).toBe(first.body.orderId);
    });

    it('answers 409 for the same key with another body, and keeps the first order', async () => {
      const { productId } = await seedProduct(fx);
      const customer = customerId();
      const headers = { ...asCustomer(customer), 'Idempotency-Key': uniqueId('key') };
      const first = await placeOrder(fx, orderBody([{ productId, quantity: 1 }]), headers);
      const conflicting = [
        orderBody([{ productId, quantity: 2 }]),
        orderBody([{ productId, quantity: 1 }], { paymentToken: 'tok_mastercard' }),
        orderBody([{ productId, quantity: 1 }], { shippingAddress: { ...address, line2: 'Flat 2' } }),
      ];
      for (const body of conflicting) {
        const response = await placeOrder(fx, body, headers);
        expect(response.status).toBe(409);
        expect(response.headers['Content-Type']).toBe('application/problem+json');
        expect(problem(response).type).toContain('idempotency-key-reused');
      }
      expect((await listOrders(fx, asCustomer(customer))).body.items.map((o) => o.orderId)).toEqual([first.body.orderId]);
    });

    it('keys per customer: the same key of two customers places two orders', async () => {
      const { productId } = await seedProduct(fx);
      const key = uniqueId('shared-key');
      const body = orderBody([{ productId, quantity: 1 }]);
      const one = await placeOrder(fx, body, { ...asCustomer(customerId()), 'Idempotency-Key': key });
      const two = await placeOrder(fx, body, { ...asCustomer(customerId()), 'Idempotency-Key': key });
      expect([one.status, two.status]).toEqual([202, 202]);
      expect(two.body.orderId).not.toBe(one.body.orderId);
    });

    it('places exactly one order for parallel requests with the same key', async () => {
      const { productId } = await seedProduct(fx);
      const customer = customerId();
      const headers = { ...asCustomer(customer), 'Idempotency-Key': uniqueId('key') };
      const body = orderBody([{ productId, quantity: 1 }]);
      const responses = await Promise.all(Array.from({ length: 4 }, () => placeOrder(fx, body, headers)));
      expect(responses.map((r) => r.status)).toEqual([202, 202, 202, 202]);
      expect(new Set(responses.map((r) => r.body.orderId)).size).toBe(1);
      expect((await listOrders(fx, asCustomer(customer))).body.items).toHaveLength(1);
    });

    it('places a new order for every request without a key', async () => {
      const { productId } = await seedProduct(fx);
      const customer = customerId();
      const body = orderBody([{ productId, quantity: 1 }]);
      const one = await placeOrder(fx, body, asCustomer(customer));
      const two = await placeOrder(fx, body, asCustomer(customer));
      expect(two.body.orderId).not.toBe(one.body.orderId);
    });
  });
});

describe('GET /orders/{orderId}', () => {
  it('shows the owner the order as POST answered it', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    const response = await getOrder(fx, order.orderId, asCustomer(customer));
    expect(response.status).toBe(200);
    expect(response.body).toEqual(order);
  });

  it('answers 404 to another customer, exactly as for an unknown order, and 200 to an admin', async () => {
    const order = await placedOrder(fx, customerId());
    const stranger = await getOrder(fx, order.orderId, asCustomer(customerId()));
    const unknown = await getOrder(fx, uniqueId('01NOORDER'), asCustomer(customerId()));
    expect(stranger.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect({ ...problem(stranger), correlationId: '' }).toEqual({ ...problem(unknown), correlationId: '' });
    const admin = await getOrder(fx, order.orderId, asAdmin());
    expect(admin.status).toBe(200);
    expect(admin.body).toEqual(order);
  });

  it('answers 401 without a token', async () => {
    const order = await placedOrder(fx, customerId());
    expect((await getOrder(fx, order.orderId, {})).status).toBe(401);
  });

  it('shows the whole history with reasons once the saga moved the order', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    await runTask(fx, 'rejectOrder', transition(order.orderId, { to: 'REJECTED', reason: 'OUT_OF_STOCK' }));
    const { body } = await getOrder(fx, order.orderId, asCustomer(customer));
    expect(body.status).toBe('REJECTED');
    expect(body.statusReason).toBe('OUT_OF_STOCK');
    expect(body.history).toEqual([
      { status: 'PENDING', at: order.createdAt },
      { status: 'REJECTED', reason: 'OUT_OF_STOCK', at: body.updatedAt },
    ]);
  });
});

describe('GET /orders', () => {
  it("lists the caller's orders only, newest first, with their history", async () => {
    const customer = customerId();
    const orders: Order[] = [];
    for (let i = 0; i < 3; i += 1) orders.push(await placedOrder(fx, customer));
    await placedOrder(fx, customerId());
    await runTask(fx, 'confirmOrder', transition(orders[0]!.orderId, { to: 'CONFIRMED' }));

    const response = await listOrders(fx, asCustomer(customer));
    expect(response.status).toBe(200);
    expect(response.body.nextCursor).toBeNull();
    expect(response.body.items.map((o) => o.orderId)).toEqual(orders.map((o) => o.orderId).reverse());
    expect(response.body.items[2]!.history.map((h) => h.status)).toEqual(['PENDING', 'CONFIRMED']);
    expect(response.body.items[0]).toEqual(orders[2]);
  });

  it('pages with ?limit and a cursor, without duplicates or gaps, and ends with nextCursor null', async () => {
    const customer = customerId();
    const orders: Order[] = [];
    for (let i = 0; i < 5; i += 1) orders.push(await placedOrder(fx, customer));
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await listOrders(fx, asCustomer(customer), { limit: '2', ...(cursor ? { cursor } : {}) });
      expect(page.status).toBe(200);
      sizes.push(page.body.items.length);
      seen.push(...page.body.items.map((o) => o.orderId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(orders.map((o) => o.orderId).reverse());
  });

  it('answers an empty page to a customer without orders', async () => {
    expect((await listOrders(fx, asCustomer(customerId()))).body).toEqual({ items: [], nextCursor: null });
  });

  it("answers 400 on query.cursor for a forged cursor or another customer's cursor", async () => {
    const customer = customerId();
    const other = customerId();
    for (let i = 0; i < 2; i += 1) {
      await placedOrder(fx, customer);
      await placedOrder(fx, other);
    }
    const cursor = (await listOrders(fx, asCustomer(customer), { limit: '1' })).body.nextCursor!;
    expect(cursor).toEqual(expect.any(String));
    const forged = encodeCursor({ createdAt: '9999', orderId: 'x' }, `orders:customer:${customer}`, Buffer.alloc(32, 1));
    for (const [caller, bad] of [[customer, 'not-a-cursor'], [customer, forged], [other, cursor]] as const) {
      const response = await listOrders(fx, asCustomer(caller), { cursor: bad });
      expect(response.status).toBe(400);
      expect(problem(response).errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    }
  });

  it.each(['0', '101', 'x'])('answers 400 on query.limit for ?limit=%s', async (limit) => {
    const response = await listOrders(fx, asCustomer(customerId()), { limit });
    expect(response.status).toBe(400);
    expect(errorPaths(response)).toEqual(['query.limit']);
  });
});

describe('POST /orders/{orderId}/cancel', () => {
  it('records the request on a PENDING order and answers 202; the saga then compensates instead of confirming', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    resetStepFunctions(fx);

    const response = await cancelOrder(fx, order.orderId, asCustomer(customer));
    expect(response.status).toBe(202);
    expect(response.body).toEqual(order);
    expect(startedExecutions(fx)).toEqual([]);
    // A PENDING order has no shipment to claim.
    expect(shipmentClaims(fx)).toEqual([]);

    await expect(runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }))).rejects.toMatchObject({
      name: 'CancellationRequested',
    });
    await runTask(fx, 'cancelOrder', transition(order.orderId, { to: 'CANCELLED', reason: 'CUSTOMER_REQUEST', refunded: true }));
    const { body } = await getOrder(fx, order.orderId, asCustomer(customer));
    expect(body.status).toBe('CANCELLED');
    expect(body.history.map((h) => [h.status, h.reason])).toEqual([['PENDING', undefined], ['CANCELLED', 'CUSTOMER_REQUEST']]);
  });

  it('answers 202 again for a repeated cancel of a PENDING order', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
  });

  it('claims the shipment of a CONFIRMED order, then starts its cancellation saga, and answers 202 again when it already runs', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
    resetStepFunctions(fx);

    const response = await cancelOrder(fx, order.orderId, { ...asCustomer(customer), 'X-Correlation-Id': 'cancel-trace-1' });
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('CONFIRMED');
    expect(shipmentClaims(fx)).toEqual([
      { functionName: CLAIM_SHIPMENT_ARN, input: { orderId: order.orderId, customerId: customer, correlationId: 'cancel-trace-1' } },
    ]);
    expect(startedExecutions(fx)).toEqual([
      { stateMachineArn: CANCELLATION_SAGA_ARN, name: `cancel-${order.orderId}`, input: { orderId: order.orderId, correlationId: 'cancel-trace-1' } },
    ]);

    fx.sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution already exists', $metadata: {} }));
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
  });

  it.each(['DISPATCHED', 'DELIVERED'])(
    'answers 409 for a CONFIRMED order whose shipment is %s (the order has not heard yet), and starts nothing',
    async (shipmentStatus) => {
      const customer = customerId();
      const order = await placedOrder(fx, customer);
      await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
      resetStepFunctions(fx);
      answerShipmentClaims(fx.lambda, { claimed: false, status: shipmentStatus });

      const response = await cancelOrder(fx, order.orderId, asCustomer(customer));
      expect(response.status).toBe(409);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
      expect(problem(response).type).toContain('order-not-cancellable');
      expect(problem(response).detail).toContain(shipmentStatus);
      expect(shipmentClaims(fx)).toHaveLength(1);
      expect(startedExecutions(fx)).toEqual([]);
      expect((await getOrder(fx, order.orderId, asCustomer(customer))).body.status).toBe('CONFIRMED');
    },
  );

  it('answers 500, starting nothing, when the shipment claim fails; the retried cancel goes through', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    await runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' }));
    resetStepFunctions(fx);
    answerShipmentClaims(fx.lambda, { functionError: 'Sandbox.Timedout' });

    const failed = await cancelOrder(fx, order.orderId, asCustomer(customer));
    expect(failed.status).toBe(500);
    expect(JSON.stringify(failed.body)).not.toContain('Sandbox');
    expect(startedExecutions(fx)).toEqual([]);

    answerShipmentClaims(fx.lambda, { claimed: true, status: 'CANCELLED' });
    expect((await cancelOrder(fx, order.orderId, asCustomer(customer))).status).toBe(202);
    expect(startedExecutions(fx).map((s) => s.name)).toEqual([`cancel-${order.orderId}`]);
  });

  it.each([
    ['REJECTED', { to: 'REJECTED', reason: 'OUT_OF_STOCK' }],
    ['CANCELLED', { to: 'CANCELLED', reason: 'PAYMENT_DECLINED', refunded: false }],
  ] as const)('answers 409 for a %s order and starts nothing', async (_status, move) => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    await runTask(fx, move.to === 'REJECTED' ? 'rejectOrder' : 'cancelOrder', transition(order.orderId, move));
    resetStepFunctions(fx);
    const response = await cancelOrder(fx, order.orderId, asCustomer(customer));
    expect(response.status).toBe(409);
    expect(problem(response).type).toContain('order-not-cancellable');
    expect(startedExecutions(fx)).toEqual([]);
    expect((await getOrder(fx, order.orderId, asCustomer(customer))).body.status).toBe(move.to);
  });

  it('answers 404 to another customer and changes nothing; an admin may cancel', async () => {
    const customer = customerId();
    const order = await placedOrder(fx, customer);
    expect((await cancelOrder(fx, order.orderId, asCustomer(customerId()))).status).toBe(404);
    expect((await orderItems(fx, order.orderId)).find((i) => i.sk === 'STATE')!.cancelRequested).toBeUndefined();
    expect((await cancelOrder(fx, order.orderId, asAdmin())).status).toBe(202);
    expect((await orderItems(fx, order.orderId)).find((i) => i.sk === 'STATE')!.cancelRequested).toBe(true);
  });

  it('answers 404 for an unknown order and 401 without a token', async () => {
    expect((await cancelOrder(fx, uniqueId('01NOORDER'), asCustomer(customerId()))).status).toBe(404);
    const order = await placedOrder(fx, customerId());
    expect((await cancelOrder(fx, order.orderId, {})).status).toBe(401);
  });

  it('never loses a cancel racing the confirmation: either the saga compensates or the cancellation saga starts', async () => {
    for (let round = 0; round < 5; round += 1) {
      const customer = customerId();
      const order = await placedOrder(fx, customer);
      resetStepFunctions(fx);
      const [cancelled, confirmed] = await Promise.allSettled([
        cancelOrder(fx, order.orderId, asCustomer(customer)),
        runTask(fx, 'confirmOrder', transition(order.orderId, { to: 'CONFIRMED' })),
      ]);
      expect(cancelled.status === 'fulfilled' && cancelled.value.status).toBe(202);
      const status = (await getOrder(fx, order.orderId, asCustomer(customer))).body.status;
      if (confirmed.status === 'fulfilled') {
        expect(status).toBe('CONFIRMED');
        expect(startedExecutions(fx).map((s) => s.name)).toEqual([`cancel-${order.orderId}`]);
      } else {
        expect(confirmed.reason).toMatchObject({ name: 'CancellationRequested' });
        expect(status).toBe('PENDING');
        expect(startedExecutions(fx)).toEqual([]);
      }
    }
  });
});
