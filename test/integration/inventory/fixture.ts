import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import { expect } from 'vitest';
import type { StockRecord } from '../../../functions/contracts/api/inventory';
import type { StepResult } from '../../../functions/inventory/domain/inventory';
import { ProductCreated } from '../../../functions/contracts/events/catalog';
import type { EventContract, EventDetail } from '../../../functions/contracts/events/envelope';
import { domainEvent } from '../../../functions/shared/events/outbox';
import { bearer, useHandlerEnvironment } from '../../support/handler-env';
import { call, lambdaContext } from '../../support/http';
import { relayedEvents } from '../shared/relayed-events';

/** The inventory handlers, loaded after the handler environment is in place (they read it at load). */
export async function loadHandlers() {
  const load = async <M extends { handler: unknown }>(module: Promise<M>): Promise<M['handler']> => (await module).handler;
  return {
    getStock: await load(import('../../../functions/inventory/handlers/get-stock')),
    restock: await load(import('../../../functions/inventory/handlers/restock')),
    onProductCreated: await load(import('../../../functions/inventory/handlers/on-product-created')),
    reserve: await load(import('../../../functions/inventory/handlers/reserve-stock')),
    release: await load(import('../../../functions/inventory/handlers/release-stock')),
    commit: await load(import('../../../functions/inventory/handlers/commit-stock')),
    return: await load(import('../../../functions/inventory/handlers/return-stock')),
  };
}

export type Handlers = Awaited<ReturnType<typeof loadHandlers>>;
export type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;

/** A fresh table (prefixed `prefix`) and the inventory handlers loaded against it. */
export async function inventoryFixture(prefix = 'inventory'): Promise<{ env: Env; handlers: Handlers }> {
  const env = await useHandlerEnvironment(prefix);
  return { env, handlers: await loadHandlers() };
}

export const admin = bearer('01ADMIN0000000000000000000', 'admin');
export const customer = bearer('01CUSTOMER0000000000000000', 'customer');

/** Tests share one table: every product and order gets its own id. */
export const newProductId = () => `prod-${randomUUID()}`;
export const newOrderId = () => `order-${randomUUID()}`;

/** ProductCreated as the rule's target receives it from EventBridge, built through its contract. */
export function productCreatedEvent(productId: string, correlationId = 'corr') {
  const data = { productId, name: 'Mug', category: 'kitchen', priceCents: 1299, currency: 'USD', sku: `SKU-${productId}` };
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': ProductCreated.detailType,
    source: ProductCreated.source,
    account: '111111111111',
    time: new Date().toISOString(),
    region: 'eu-west-1',
    resources: [],
    detail: domainEvent(ProductCreated, data, correlationId).detail as unknown,
  } satisfies EventBridgeEvent<string, unknown>;
}

/** Delivers an event the way the rule's Lambda target does. */
export function deliver(handlers: Handlers, event: EventBridgeEvent<string, unknown>) {
  return handlers.onProductCreated(event, lambdaContext());
}

export const stockPath = (productId: string) => ({
  resource: '/inventory/{productId}',
  path: `/inventory/${productId}`,
  pathParameters: { productId },
});

export const getStock = (handlers: Handlers, productId: string, headers: Record<string, string> = {}) =>
  call<StockRecord>(handlers.getStock, { method: 'GET', ...stockPath(productId), headers });

export const restock = (handlers: Handlers, productId: string, body: unknown, headers: Record<string, string> = admin) =>
  call<StockRecord>(handlers.restock, {
    method: 'POST',
    resource: '/inventory/{productId}/restock',
    path: `/inventory/${productId}/restock`,
    pathParameters: { productId },
    body,
    headers,
  });

/** A product known to inventory (from ProductCreated), with `available` units on the shelf. */
export async function stockedProduct(handlers: Handlers, available: number): Promise<string> {
  const productId = newProductId();
  await deliver(handlers, productCreatedEvent(productId));
  if (available > 0) expect((await restock(handlers, productId, { quantity: available })).status).toBe(200);
  return productId;
}

export async function stockOf(handlers: Handlers, productId: string): Promise<Pick<StockRecord, 'available' | 'reserved'>> {
  const response = await getStock(handlers, productId);
  expect(response.status).toBe(200);
  return { available: response.body.available, reserved: response.body.reserved };
}

/** A saga task invoked the way the state machine's Lambda task does: the input as the event. */
export function step(handler: Handlers['reserve' | 'release' | 'commit' | 'return'], input: unknown): Promise<StepResult> {
  return handler(input, lambdaContext());
}

export interface OutboxRecord<E extends EventContract = EventContract> {
  detailType: string;
  source: string;
  detail: EventDetail<E>;
}

/**
 * The events of `event`'s type the relay publishes, parsed with their contract, in the order they
 * were written: outbox records and the reservations that carry their events (relayedEvents), a
 * record carrying several events contributing each of them, as the relay publishes them.
 */
export async function outboxEvents<E extends EventContract>(env: Env, event: E): Promise<OutboxRecord<E>[]> {
  return (await relayedEvents(env.tableName))
    .filter((entry) => entry.detailType === event.detailType)
    .map((entry) => ({
      detailType: entry.detailType,
      source: entry.source,
      detail: event.detail.parse(JSON.parse(entry.detail)) as EventDetail<E>,
    }));
}
