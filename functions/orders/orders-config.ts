/**
 * The variables the orders stack sets on the orders functions, and their loaders. Imports
 * nothing but the reader and zod, so the CDK app can use the names (and check the snapshot
 * interval with the functions' own schema) without loading runtime code.
 */
import * as z from 'zod';
import { nonEmpty, readVariable } from '../shared/config';

export const ORDERS_ENV = {
  /** The order saga, started by the consumer of OrderPlaced (on-order-placed.ts). */
  orderSagaArn: 'ORDER_SAGA_ARN',
  /** The cancellation saga of confirmed orders, started by POST /orders/{orderId}/cancel. */
  cancellationSagaArn: 'CANCELLATION_SAGA_ARN',
  /** Shipping's claim of a shipment for a cancellation, invoked by POST /orders/{orderId}/cancel before it answers. */
  claimShipmentFunction: 'CLAIM_SHIPMENT_FUNCTION',
  /** Every how many events of an order a snapshot is written (`-c orderSnapshotEvery`), on the functions that append events. */
  snapshotEvery: 'ORDER_SNAPSHOT_EVERY',
} as const;

/** An order's events between snapshots, unless `-c orderSnapshotEvery` says otherwise (the README says why 10). */
export const DEFAULT_SNAPSHOT_EVERY = 10;
/** A whole number of events, at least 1. */
export const snapshotEvery = z.coerce.number().int().min(1);

/** Each reads its variable when called; only the functions that use one have it (see composition.ts). */
export const ordersConfig = {
  orderSagaArn: () => readVariable(ORDERS_ENV.orderSagaArn, nonEmpty),
  cancellationSagaArn: () => readVariable(ORDERS_ENV.cancellationSagaArn, nonEmpty),
  claimShipmentFunction: () => readVariable(ORDERS_ENV.claimShipmentFunction, nonEmpty),
  snapshotEvery: () => readVariable(ORDERS_ENV.snapshotEvery, snapshotEvery),
};

/** Counted by the flag-order step each time an order is handed to an operator; the stack alarms on it. */
export const ORDERS_NEEDING_OPERATOR_METRIC = 'OrdersNeedingOperator';
