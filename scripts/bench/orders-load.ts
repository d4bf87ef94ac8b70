/**
 * Buyers placing orders through the public API: each registers and logs in, then places a
 * one-item order, polls GET /orders/{id} until it settles, and places the next one, until time
 * is up. The admin restocks the demo catalog first, so stock never runs out.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_ADMIN } from '../../functions/users/adapters/create-admin';
import { warmedClosedLoop, type LoadResult } from './closed-loop';

const POLL_MS = 20;
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

/** One order, placed and polled until it leaves PENDING; throws unless it is CONFIRMED. */
async function placeAndConfirm(base: string, token: string, productIds: readonly string[]): Promise<void> {
  const productId = productIds[Math.floor(Math.random() * productIds.length)]!;
  const order = await call(`${base}/orders`, 'POST', token, { items: [{ productId, quantity: 1 }], paymentToken: 'tok_visa', shippingAddress: ADDRESS });
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const orderId = String(order.orderId);
  for (let status = String(order.status); Date.now() < deadline; ) {
    if (status === 'CONFIRMED') return;
    if (status !== 'PENDING') throw new Error(`order ${orderId} ended ${status}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    status = String((await call(`${base}/orders/${orderId}`, 'GET', token)).status);
  }
  throw new Error(`order ${orderId} not settled within ${SETTLE_TIMEOUT_MS} ms`);
}

export async function buyers(base: string, count: number, seconds: number): Promise<LoadResult> {
  const admin = await login(base, DEFAULT_ADMIN.email, DEFAULT_ADMIN.password);
  const page = (await call(`${base}/products`, 'GET')) as { items?: { id: string }[] };
  const productIds = (page.items ?? []).map((product) => product.id);
  for (const id of productIds) await call(`${base}/inventory/${id}/restock`, 'POST', admin, { quantity: 1_000_000 });
  // One after another: sixteen password hashes at once would time out Register on a busy 2-core machine.
  const tokens: string[] = [];
  for (let index = 0; index < count; index++) tokens.push(await buyer(base));
  let next = 0;
  // Sixteen orders in flight, each under the next buyer's token in turn: every buyer has about one.
  return warmedClosedLoop(count, seconds, () => placeAndConfirm(base, tokens[next++ % count]!, productIds), seconds);
}
