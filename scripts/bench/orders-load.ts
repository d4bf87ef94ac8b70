/**
 * Buyers placing orders through the public API: each registers and logs in, then places a
 * one-item order, polls GET /orders/{id} until it settles, and places the next one, until time
 * is up. The admin restocks the demo catalog first, so stock never runs out.
 *
 * The buyers poll as a real client does, with backoff (100 ms doubling up to 1 s), not in a
 * tight loop: polling every 20 ms was ~30 reads per order, so the figure measured the reads, not
 * the saga. Latency and throughput come from the order's own timestamps (its createdAt and the
 * `at` of its CONFIRMED history entry), so the sparse polling makes them no coarser.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_ADMIN } from '../../functions/users/adapters/create-admin';
import { percentile } from './stats';

const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1_000;
const SETTLE_TIMEOUT_MS = 60_000;
export const ADDRESS = { name: 'Bench Buyer', line1: '1 Load St', city: 'Testville', postalCode: '12345', country: 'US' };

export async function call(url: string, method: string, token?: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function login(base: string, email: string, password: string): Promise<string> {
  return String((await call(`${base}/auth/login`, 'POST', undefined, { email, password })).accessToken);
}

/** A new buyer, registered and logged in: its access token. */
export async function buyer(base: string): Promise<string> {
  const email = `bench-${randomUUID()}@commerce.test`;
  const password = 'bench-password-1';
  await call(`${base}/auth/register`, 'POST', undefined, { email, password, name: 'Bench Buyer' });
  return login(base, email, password);
}

/** How long a buyer waits before its next poll: 100 ms, then twice the last wait, at most 1 s. */
export const nextPollDelay = (previous?: number): number => (previous === undefined ? FIRST_POLL_MS : Math.min(previous * 2, MAX_POLL_MS));

/** One confirmed order: when it was placed and confirmed (ms since the epoch, the order's own clock) and the buyer's reads of it. */
export interface Confirmation {
  readonly placedAt: number;
  readonly confirmedAt: number;
  readonly reads: number;
}

/** When an order (GET /orders/{id}'s body) was placed and confirmed, from its createdAt and history; undefined until it is confirmed. */
export function confirmationTimes(order: Record<string, unknown>): { placedAt: number; confirmedAt: number } | undefined {
  const history = Array.isArray(order.history) ? (order.history as { status?: unknown; at?: unknown }[]) : [];
  const confirmed = history.find((entry) => entry.status === 'CONFIRMED');
  const placedAt = Date.parse(String(order.createdAt));
  const confirmedAt = Date.parse(String(confirmed?.at));
  if (Number.isNaN(placedAt)) throw new Error(`order ${String(order.orderId)} has no createdAt`);
  return Number.isNaN(confirmedAt) ? undefined : { placedAt, confirmedAt };
}

/** One order, placed and polled with backoff until it leaves PENDING; throws unless it is CONFIRMED. */
async function placeAndConfirm(base: string, token: string, productIds: readonly string[]): Promise<Confirmation> {
  const productId = productIds[Math.floor(Math.random() * productIds.length)]!;
  let order = await call(`${base}/orders`, 'POST', token, { items: [{ productId, quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: ADDRESS });
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const orderId = String(order.orderId);
  let reads = 0;
  for (let delay = nextPollDelay(); Date.now() < deadline; delay = nextPollDelay(delay)) {
    if (order.status === 'CONFIRMED') {
      const times = confirmationTimes(order);
      if (!times) throw new Error(`order ${orderId} is CONFIRMED with no CONFIRMED entry in its history`);
      return { ...times, reads };
    }
    if (order.status !== 'PENDING') throw new Error(`order ${orderId} ended ${String(order.status)}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
    order = await call(`${base}/orders/${orderId}`, 'GET', token);
    reads++;
  }
  throw new Error(`order ${orderId} not settled within ${SETTLE_TIMEOUT_MS} ms`);
}

export interface OrdersResult {
  /** Orders confirmed within the window, per second of it. */
  readonly perSecond: number;
  /** Place → confirmed of those orders, by their own timestamps. */
  readonly p50: number;
  readonly p99: number;
  /** The buyers' GET /orders/{id} per confirmed order. */
  readonly readsPerOrder: number;
  readonly failures: number;
  readonly firstFailure?: string;
}

/** The orders confirmed within [from, to) (ms since the epoch): their rate, latency and reads. */
export function ordersInWindow(confirmations: readonly Confirmation[], from: number, to: number, failures = 0, firstFailure?: string): OrdersResult {
  const counted = confirmations.filter(({ confirmedAt }) => confirmedAt >= from && confirmedAt < to);
  const latencies = counted.map(({ placedAt, confirmedAt }) => confirmedAt - placedAt);
  const reads = counted.reduce((sum, { reads: each }) => sum + each, 0);
  return {
    perSecond: counted.length / ((to - from) / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    readsPerOrder: counted.length ? reads / counted.length : Number.NaN,
    failures,
    ...(firstFailure === undefined ? {} : { firstFailure }),
  };
}

/**
 * `count` buyers, one order in flight each, for `warmSeconds` unmeasured and then `seconds`
 * measured: the orders confirmed in the measured window count, whenever they were placed.
 */
export async function buyers(base: string, count: number, seconds: number, warmSeconds = seconds): Promise<OrdersResult> {
  const admin = await login(base, DEFAULT_ADMIN.email, DEFAULT_ADMIN.password);
  const page = (await call(`${base}/products`, 'GET')) as { items?: { id: string }[] };
  const productIds = (page.items ?? []).map((product) => product.id);
  for (const id of productIds) await call(`${base}/inventory/${id}/restock`, 'POST', admin, { quantity: 1_000_000 });
  // One after another: sixteen password hashes at once would time out Register on a busy 2-core machine.
  const tokens: string[] = [];
  for (let index = 0; index < count; index++) tokens.push(await buyer(base));
  const from = Date.now() + warmSeconds * 1000;
  const to = from + seconds * 1000;
  const confirmations: Confirmation[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const worker = async (token: string) => {
    while (Date.now() < to) {
      try {
        confirmations.push(await placeAndConfirm(base, token, productIds));
      } catch (error) {
        if (Date.now() < from) continue;
        failures++;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(tokens.map(worker));
  return ordersInWindow(confirmations, from, to, failures, firstFailure);
}
