import { describe, expect, it } from 'vitest';
import type { PlaceOrderRequest } from '../../../functions/contracts/api/orders';
import { SagaError } from '../../../functions/contracts/saga';
import type { PendingEvent } from '../../../functions/shared/events/outbox';
import type { ProductCopy } from '../../../functions/orders/domain/catalog-copy';
import type { IdempotencyRecord } from '../../../functions/orders/domain/idempotency';
import type { OrderEvent, OrderState } from '../../../functions/orders/domain/order';
import { cancelOrder, MAX_CANCEL_ATTEMPTS, type ShipmentClaimer } from '../../../functions/orders/domain/order-cancellation';
import { MAX_CREATE_ATTEMPTS, placeOrder, type OrderStore, type SagaStarter, type StoredOrder } from '../../../functions/orders/domain/orders';
import { MAX_TRANSITION_ATTEMPTS, transitionOrder } from '../../../functions/orders/domain/saga-tasks';
import { recordDelivery, recordDispatch } from '../../../functions/orders/domain/shipment-events';
import { OrderContendedError } from '../../../functions/orders/domain/transitions';

/** The store contract in memory: the use cases' rules without a database, and hooks to play a concurrent writer. */
function memoryStore() {
  const orders = new Map<string, StoredOrder>();
  const keys = new Map<string, IdempotencyRecord>();
  const paymentTokens = new Map<string, string>();
  const published: PendingEvent[] = [];
  const hooks = {
    beforeCreate: async (): Promise<void> => {},
    beforeAppend: (): boolean => true,
    beforeRequestCancellation: (_orderId: string): void => {},
  };
  const clone = <T>(value: T): T => structuredClone(value);
  const store: OrderStore = {
    async idempotencyRecord(customerId, key) {
      return clone(keys.get(`${customerId}/${key}`));
    },
    async create(order, first, event, paymentToken, idempotency) {
      await hooks.beforeCreate();
      if (idempotency && keys.has(`${idempotency.customerId}/${idempotency.key}`)) return 'keyTaken';
      if (idempotency) keys.set(`${idempotency.customerId}/${idempotency.key}`, clone(idempotency));
      orders.set(order.orderId, { state: clone(order), events: [clone(first)] });
      paymentTokens.set(order.orderId, paymentToken);
      published.push(event);
      return 'created';
    },
    async get(orderId) {
      return clone(orders.get(orderId));
    },
    async forSagaStart(orderId) {
      const stored = orders.get(orderId);
      return stored && { state: clone(stored.state), paymentToken: paymentTokens.get(orderId) };
    },
    async claimSagaStart(orderId) {
      const stored = orders.get(orderId);
      if (stored?.state.status !== 'PENDING') return 'notPending';
      return stored.state.cancelRequested ? 'cancelRequested' : 'claimed';
    },
    async append(next, event, pending, { expectedVersion, unlessCancelRequested }) {
      if (!hooks.beforeAppend()) return false;
      const stored = orders.get(next.orderId)!;
      if (stored.state.version !== expectedVersion || (unlessCancelRequested && stored.state.cancelRequested)) return false;
      orders.set(next.orderId, { state: clone({ ...next, cancelRequested: stored.state.cancelRequested }), events: [...stored.events, clone(event)] });
      published.push(pending);
      return true;
    },
    async requestCancellation(orderId) {
      hooks.beforeRequestCancellation(orderId);
      const stored = orders.get(orderId)!;
      if (stored.state.status !== 'PENDING') return false;
      stored.state.cancelRequested = true;
      return true;
    },
    async flag() {
      return 'flagged';
    },
    async listByCustomer() {
      return [];
    },
  };
  /** Plays the saga confirming the order behind the use case's back. */
  const confirmBehindTheBack = (orderId: string) => {
    const stored = orders.get(orderId)!;
    const event: OrderEvent = { seq: stored.state.version + 1, type: 'OrderConfirmed', status: 'CONFIRMED', at: stored.state.createdAt, eventId: 'x' };
    stored.state = { ...stored.state, status: 'CONFIRMED', version: event.seq };
    stored.events.push(event);
  };
  return { store, orders, published, hooks, confirmBehindTheBack };
}

function recordingSaga() {
  const starts: { name: string; input: unknown }[] = [];
  const saga: SagaStarter = {
    async start(name, input) {
      const already = starts.some((s) => s.name === name);
      starts.push({ name, input });
      return already ? 'alreadyStarted' : 'started';
    },
  };
  return { saga, starts };
}

/** Shipping's claim, always granted: a shipment still PREPARING. */
const claimingShipping: ShipmentClaimer = {
  async claim({ orderId }) {
    return { orderId, claimed: true, status: 'CANCELLED' };
  },
};

const catalog = {
  async getMany(ids: readonly string[]) {
    const copy: ProductCopy = { productId: 'cup', status: 'ACTIVE', name: 'Cup', priceCents: 500, currency: 'USD', version: 1 };
    return new Map(ids.filter((id) => id === 'cup').map((id) => [id, { ...copy, productId: id }]));
  },
};

const body: PlaceOrderRequest = {
  items: [{ productId: 'cup', quantity: 2 }],
  paymentToken: 'tok_visa',
  shippingAddress: { name: 'Ada', line1: '1 Road', city: 'London', postalCode: 'N1', country: 'GB' },
};

const customer = { userId: 'c-1', role: 'customer' as const };

describe('placeOrder', () => {
  it('answers the order of a request that claimed the same key between the replay check and the write', async () => {
    const memory = memoryStore();
    const deps = { store: memory.store, catalog };
    const command = { customerId: 'c-1', body, idempotencyKey: 'k-1', correlationId: 'corr' };
    let winner: Awaited<ReturnType<typeof placeOrder>> | undefined;
    memory.hooks.beforeCreate = async () => {
      memory.hooks.beforeCreate = async () => {};
      // The other request runs to completion first.
      winner = await placeOrder(deps, { ...command, correlationId: 'other' });
    };
    const answered = await placeOrder(deps, command);
    expect(winner).toBeDefined();
    expect(answered.orderId).toBe(winner!.orderId);
    expect(memory.orders.size).toBe(1);
    expect(memory.published.map((p) => p.event.detailType)).toEqual(['OrderPlaced']);
  });

  it('answers a replay from the stored order and records nothing more: its one OrderPlaced starts the saga', async () => {
    const memory = memoryStore();
    const deps = { store: memory.store, catalog };
    const command = { customerId: 'c-1', body, idempotencyKey: 'k-2', correlationId: 'corr' };
    const order = await placeOrder(deps, command);
    expect((await placeOrder(deps, command)).status).toBe('PENDING');
    memory.confirmBehindTheBack(order.orderId);
    const replayed = await placeOrder(deps, command);
    expect(replayed.status).toBe('CONFIRMED');
    expect(memory.published.map((p) => p.event.detailType)).toEqual(['OrderPlaced']);
    expect((await memory.store.forSagaStart(order.orderId))?.paymentToken).toBe('tok_visa');
  });
});

describe('placeOrder under contention', () => {
  /** A key some other request holds whose record this request never gets to read. */
  function heldKey(outcomes: (() => 'keyTaken' | 'created')[]) {
    const memory = memoryStore();
    let creates = 0;
    const store: OrderStore = {
      ...memory.store,
      async idempotencyRecord() {
        return undefined;
      },
      async create() {
        creates += 1;
        return outcomes[creates - 1]!();
      },
    };
    return { deps: { store, catalog }, creates: () => creates };
  }
  const command = { customerId: 'c-1', body, idempotencyKey: 'k-3', correlationId: 'corr' };

  it(`gives up with a 409 idempotency-key-in-use after ${MAX_CREATE_ATTEMPTS} lost races`, async () => {
    const held = heldKey(Array(MAX_CREATE_ATTEMPTS + 1).fill(() => 'keyTaken'));
    await expect(placeOrder(held.deps, command)).rejects.toMatchObject({ status: 409, code: 'idempotency-key-in-use' });
    expect(held.creates()).toBe(MAX_CREATE_ATTEMPTS);
  });

  it('tries again when DynamoDB cancelled the create in favour of a concurrent transaction', async () => {
    const conflict = () => {
      throw Object.assign(new Error('Transaction is ongoing for the item'), { name: 'TransactionConflictException' });
    };
    const held = heldKey([conflict, () => 'created']);
    expect((await placeOrder(held.deps, command)).status).toBe('PENDING');
    expect(held.creates()).toBe(2);
  });
});

describe('cancelOrder', () => {
  it('takes the CONFIRMED path when the order was confirmed between its read and the conditional write', async () => {
    const memory = memoryStore();
    const placed = await placeOrder({ store: memory.store, catalog }, { customerId: 'c-1', body, correlationId: 'corr' });
    const cancellation = recordingSaga();
    memory.hooks.beforeRequestCancellation = (orderId) => {
      memory.hooks.beforeRequestCancellation = () => {};
      memory.confirmBehindTheBack(orderId);
    };
    const answered = await cancelOrder({ store: memory.store, cancellationSaga: cancellation.saga, shipping: claimingShipping }, placed.orderId, customer, 'cancel-corr');
    expect(answered.status).toBe('CONFIRMED');
    expect(cancellation.starts).toEqual([{ name: `cancel-${placed.orderId}`, input: { orderId: placed.orderId, correlationId: 'cancel-corr' } }]);
    expect(memory.orders.get(placed.orderId)!.state.cancelRequested).toBeUndefined();
  });

  it(`gives up with a 409 after ${MAX_CANCEL_ATTEMPTS} lost races`, async () => {
    const memory = memoryStore();
    const placed = await placeOrder({ store: memory.store, catalog }, { customerId: 'c-1', body, correlationId: 'corr' });
    memory.store.requestCancellation = async () => false;
    await expect(
      cancelOrder({ store: memory.store, cancellationSaga: recordingSaga().saga, shipping: claimingShipping }, placed.orderId, customer, 'c'),
    ).rejects.toMatchObject({ status: 409, code: 'concurrent-update', message: 'The order is being changed by another request; try again' });
  });
});

describe('transitionOrder', () => {
  const placedIn = async (memory: ReturnType<typeof memoryStore>): Promise<OrderState> => {
    const order = await placeOrder({ store: memory.store, catalog }, { customerId: 'c-1', body, correlationId: 'corr' });
    return memory.orders.get(order.orderId)!.state;
  };

  it('reads again after losing a race, and succeeds', async () => {
    const memory = memoryStore();
    const state = await placedIn(memory);
    let lost = 0;
    memory.hooks.beforeAppend = () => (lost += 1) > 1;
    const result = await transitionOrder(memory.store, { orderId: state.orderId, correlationId: 'c', to: 'CONFIRMED' });
    expect(result).toEqual({ orderId: state.orderId, status: 'CONFIRMED', changed: true });
    expect(memory.orders.get(state.orderId)!.events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it(`hands the retry to the state machine (${SagaError.Transient}) after ${MAX_TRANSITION_ATTEMPTS} lost races`, async () => {
    const memory = memoryStore();
    const state = await placedIn(memory);
    memory.hooks.beforeAppend = () => false;
    await expect(transitionOrder(memory.store, { orderId: state.orderId, correlationId: 'c', to: 'CONFIRMED' })).rejects.toMatchObject({
      name: SagaError.Transient,
    });
  });

  it('answers CancellationRequested when the cancel request won the race with the confirmation', async () => {
    const memory = memoryStore();
    const state = await placedIn(memory);
    memory.hooks.beforeAppend = () => {
      memory.hooks.beforeAppend = () => true;
      memory.orders.get(state.orderId)!.state.cancelRequested = true;
      return true;
    };
    await expect(transitionOrder(memory.store, { orderId: state.orderId, correlationId: 'c', to: 'CONFIRMED' })).rejects.toMatchObject({
      name: SagaError.CancellationRequested,
    });
    expect(memory.orders.get(state.orderId)!.state.status).toBe('PENDING');
  });
});

describe('recordDispatch and recordDelivery', () => {
  const confirmedIn = async (memory: ReturnType<typeof memoryStore>): Promise<OrderState> => {
    const order = await placeOrder({ store: memory.store, catalog }, { customerId: 'c-1', body, correlationId: 'corr' });
    memory.confirmBehindTheBack(order.orderId);
    return memory.orders.get(order.orderId)!.state;
  };
  const dispatched = (orderId: string) => ({ orderId, shipmentId: 's-1', carrier: 'UPS', trackingNumber: '1Z999' });

  it('reads again after losing a race to another write of the order, and moves it once', async () => {
    const memory = memoryStore();
    const state = await confirmedIn(memory);
    let lost = 0;
    memory.hooks.beforeAppend = () => (lost += 1) > 1;
    expect(await recordDispatch(memory.store, dispatched(state.orderId), 'c')).toEqual({ status: 'SHIPPED', changed: true });
    expect(await recordDelivery(memory.store, { orderId: state.orderId, shipmentId: 's-1' }, 'c')).toEqual({ status: 'DELIVERED', changed: true });
    expect(memory.orders.get(state.orderId)!.events.map((e) => e.status)).toEqual(['PENDING', 'CONFIRMED', 'SHIPPED', 'DELIVERED']);
    expect(memory.published.map((p) => p.event.detailType)).toEqual(['OrderPlaced', 'OrderShipped', 'OrderDelivered']);
  });

  it(`fails with OrderContendedError, for Lambda to redeliver the event, after ${MAX_TRANSITION_ATTEMPTS} lost races`, async () => {
    const memory = memoryStore();
    const state = await confirmedIn(memory);
    memory.hooks.beforeAppend = () => false;
    await expect(recordDispatch(memory.store, dispatched(state.orderId), 'c')).rejects.toBeInstanceOf(OrderContendedError);
    expect(memory.orders.get(state.orderId)!.state.status).toBe('CONFIRMED');
  });
});
