import { createHash } from 'node:crypto';
import { ConflictError } from '../../shared/errors';
import type { PlaceOrderRequest } from '../../contracts/api/orders';

/**
 * Idempotency-Key of POST /orders: a key names one order of one customer for a day. A replay
 * with the same body gets that order again; the same key with another body is a client bug (409).
 */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 60 * 60;

export interface IdempotencyRecord {
  customerId: string;
  key: string;
  /** The hash of the canonical body of the request that used the key first. */
  requestHash: string;
  orderId: string;
  createdAt: string;
  /** Epoch seconds after which the key is free again (and TTL removes the record). */
  expiresAt: number;
}

/** JSON with object keys sorted at every level and undefined members left out: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The fingerprint of a validated order request. Lines name distinct products, so their order
 * carries no meaning: the same lines listed differently are the same request.
 */
export function requestHash(body: PlaceOrderRequest): string {
  const items = [...body.items].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  return createHash('sha256').update(canonicalJson({ ...body, items })).digest('hex');
}

export function idempotencyRecord(
  customerId: string, key: string, hash: string, orderId: string, createdAt: string,
): IdempotencyRecord {
  const expiresAt = Math.floor(Date.parse(createdAt) / 1000) + IDEMPOTENCY_RETENTION_SECONDS;
  return { customerId, key, requestHash: hash, orderId, createdAt, expiresAt };
}

/** TTL deletes lazily: an expired record may still be read, and must count as gone. */
export function isLive(record: IdempotencyRecord, nowEpochSeconds: number): boolean {
  return record.expiresAt > nowEpochSeconds;
}

export class IdempotencyKeyReusedError extends ConflictError {
  override readonly code = 'idempotency-key-reused';
  constructor() {
    super('This Idempotency-Key was already used with a different request body');
  }
}
