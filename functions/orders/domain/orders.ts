import type { PlaceOrderRequest } from '../../contracts/api/orders';
import { OrderPlaced } from '../../contracts/events/orders';
import type { FailedStep } from '../../contracts/saga';
import { ConflictError } from '../../shared/errors';
import { domainEvent, type PendingEvent } from '../../shared/events/outbox';
import { newId, nowIso } from '../../shared/ids';
import { LOST_RACE, retryOnLostRace } from '../../shared/lost-race';
import type { CatalogCopyStore } from './catalog-copy';
import { IdempotencyKeyReusedError, idempotencyRecord, isLive, requestHash, type IdempotencyRecord } from './idempotency';
import { toOrderView, type Order, type OrderEvent, type OrderState } from './order';
import { priceOrder } from './pricing';
import { placedDetails } from './replay';

export interface StoredOrder {
  state: OrderState;
  /** Oldest first. */
  events: OrderEvent[];
}

/** Where a listing continues: the last order of the page before. */
export interface ListingPosition {
  createdAt: string;
  orderId: string;
}

/** Why an order needs an operator: the step that kept failing, its error, and (when the saga said) where it failed. */
export interface OperatorProblem {
  error?: string;
  cause?: string;
  failedStep?: FailedStep;
  at: string;
}

/** The orders table as the domain sees it. */
export interface OrderStore {
  /** The record holding this customer's key, read consistently; expired records included. */
  idempotencyRecord(customerId: string, key: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Stores a new order: its state, its first event recording `event` for the bus, the payment token
   * its saga will charge and, when given, the idempotency record, all at once. 'keyTaken' when a
   * live record already holds the key.
   */
  create(
    order: OrderState, first: OrderEvent, event: PendingEvent, paymentToken: string, idempotency?: IdempotencyRecord,
  ): Promise<'created' | 'keyTaken'>;
  /**
   * What starting the order's saga needs, in one consistent read: its state and the payment token
   * stored with it (kept apart from the order's state and views).
   */
  forSagaStart(orderId: string): Promise<{ state: OrderState; paymentToken: string | undefined } | undefined>;
  /**
   * Records that the order's saga is being started, while the order is PENDING and unless the
   * customer asked to cancel before any start; a repeated claim succeeds. 'cancelRequested' when
   * the cancellation came first (no saga can be claimed for the order any more), 'notPending'
   * when the order has left PENDING.
   */
  claimSagaStart(orderId: string, at: string): Promise<'claimed' | 'cancelRequested' | 'notPending'>;
  /** The order with all its events, read consistently. */
  get(orderId: string): Promise<StoredOrder | undefined>;
  /**
   * Appends `event` (seq = next.version), recording `pending` for the bus, and moves the state to `next`,
   * only if the stored version is still `expectedVersion` (and, with `unlessCancelRequested`, no
   * cancellation was requested meanwhile); false when another write got there first.
   */
  append(next: OrderState, event: OrderEvent, pending: PendingEvent, guard: { expectedVersion: number; unlessCancelRequested: boolean }): Promise<boolean>;
  /** Records the customer's request to cancel, only while the order is PENDING; false otherwise. */
  requestCancellation(orderId: string, at: string): Promise<boolean>;
  /** Marks the order for an operator; 'alreadyFlagged' changes nothing. */
  flag(orderId: string, problem: OperatorProblem): Promise<'flagged' | 'alreadyFlagged' | 'missing'>;
  /** Up to `limit` of the customer's orders, newest first, older than `after` when given. */
  listByCustomer(customerId: string, query: { after?: ListingPosition; limit: number }): Promise<StoredOrder[]>;
}

/** Starts executions of one state machine; a name already used is 'alreadyStarted', not an error. */
export interface SagaStarter {
  start(executionName: string, input: unknown): Promise<'started' | 'alreadyStarted'>;
}

export interface PlaceOrderDeps {
  store: OrderStore;
  catalog: Pick<CatalogCopyStore, 'getMany'>;
}

export interface PlaceOrderCommand {
  customerId: string;
  body: PlaceOrderRequest;
  idempotencyKey?: string;
  correlationId: string;
}

/** Attempts to store an order whose idempotency key another request is claiming at the same moment. */
export const MAX_CREATE_ATTEMPTS = 3;

/** The order an earlier request with this key placed, or undefined when the key is free. */
async function replay(deps: PlaceOrderDeps, command: PlaceOrderCommand & { idempotencyKey: string }, hash: string): Promise<Order | undefined> {
  const record = await deps.store.idempotencyRecord(command.customerId, command.idempotencyKey);
  if (!record || !isLive(record, Math.floor(Date.now() / 1000))) return undefined;
  if (record.requestHash !== hash) throw new IdempotencyKeyReusedError();
  const stored = await deps.store.get(record.orderId);
  if (!stored) throw new Error(`Order ${record.orderId}, held by an idempotency record, is missing`);
  return toOrderView(stored.state, stored.events);
}

/**
 * Stores the order with its OrderPlaced outbox record, and nothing more: the saga starts from that
 * event (see saga-start.ts), so a request that fails after the write still leaves an order that
 * gets its saga, and a retry with the same Idempotency-Key answers the same order.
 */
export async function placeOrder(deps: PlaceOrderDeps, command: PlaceOrderCommand): Promise<Order> {
  const { customerId, body, idempotencyKey, correlationId } = command;
  const keyed = idempotencyKey === undefined ? undefined : { command: { ...command, idempotencyKey }, hash: requestHash(body) };
  // A replay answers from the stored order: the catalog may have changed since, the order has not.
  if (keyed) {
    const replayed = await replay(deps, keyed.command, keyed.hash);
    if (replayed) return replayed;
  }

  const copies = await deps.catalog.getMany(body.items.map((item) => item.productId));
  const { items, totalCents, currency } = priceOrder(body.items, copies);
  const now = nowIso();
  const orderId = newId();
  const state: OrderState = {
    orderId, customerId, status: 'PENDING', items, totalCents, currency,
    shippingAddress: body.shippingAddress, createdAt: now, updatedAt: now, version: 1, correlationId,
  };
  const placed = domainEvent(
    OrderPlaced,
    { orderId, customerId, items: items.map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents })), totalCents, currency },
    correlationId,
  );
  // The order as placed goes into its first event: the events alone make the order again (replay.ts).
  const first: OrderEvent = {
    seq: 1, type: OrderPlaced.detailType, status: 'PENDING', at: now, eventId: placed.detail.metadata.eventId, placed: placedDetails(state),
  };
  const idempotency = keyed && idempotencyRecord(customerId, keyed.command.idempotencyKey, keyed.hash, orderId, now);

  return retryOnLostRace(
    async () => {
      if ((await deps.store.create(state, first, placed, body.paymentToken, idempotency)) === 'created') return toOrderView(state, [first]);
      // Another request with the same key got there first: answer as its replay would, or try
      // again while its order is not readable yet.
      return (keyed && (await replay(deps, keyed.command, keyed.hash))) || LOST_RACE;
    },
    { attempts: MAX_CREATE_ATTEMPTS, exhausted: () => new IdempotencyKeyBusyError() },
  );
}

export class IdempotencyKeyBusyError extends ConflictError {
  override readonly code = 'idempotency-key-in-use';
  constructor() {
    super('Another request with this Idempotency-Key is in progress; retry it');
  }
}
