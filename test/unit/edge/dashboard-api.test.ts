import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type * as z from 'zod';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Dashboard } from '../../../functions/contracts/api/dashboard';
import { EDGE_ENV } from '../../../functions/edge/edge-config';
import { ENV } from '../../../functions/shared/environment';
import { bearer, TEST_SIGNING_SECRET } from '../../support/handler-env';
import { call } from '../../support/http';
import { notificationPage, orderPage, profile } from './fixture';

type Handler = Parameters<typeof call>[0];
type Dependency = 'users' | 'orders' | 'notifications';
/** How a stubbed dependency answers: a status and JSON body, never (until the caller's timeout), or not at all. */
type Reply = { status: number; body?: unknown } | 'hang' | 'refused';

/**
 * The budgets of every test but those about time: far beyond any stall of a loaded host, so a stub
 * that answers at once is never timed out and every retry the policy allows happens (500 ms, the
 * deadline these tests once ran under, let a busy worker time out answers and cut retries short).
 */
const UNHURRIED = { callTimeoutMs: 10_000, deadlineMs: 15_000 };
/**
 * The budgets the tests about time set, each to show it cutting a call that hangs: still long
 * enough that the sections that answer at once are never timed out by a busy worker's stall.
 */
const CALL_TIMEOUT_MS = 300;
const DEADLINE_MS = 1000;
/** The API's address, as the stack gives it to the function. */
const API_URL = 'https://abc123.execute-api.us-east-1.amazonaws.com/test';

beforeAll(() => {
  mockClient(SecretsManagerClient).on(GetSecretValueCommand).resolves({ SecretString: TEST_SIGNING_SECRET });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.unstubAllEnvs();
});

/**
 * A fresh copy of the handler, as a new execution environment would load it: configuration read
 * from `env` at load, and circuit breakers that remember nothing.
 */
async function loadHandler(env: Record<string, string | undefined> = {}): Promise<Handler> {
  const environment: Record<string, string | undefined> = {
    [ENV.signingSecretArn]: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:signing-AbCdEf',
    [ENV.apiUrl]: API_URL,
    [EDGE_ENV.callTimeoutMs]: String(UNHURRIED.callTimeoutMs),
    [EDGE_ENV.deadlineMs]: String(UNHURRIED.deadlineMs),
    [EDGE_ENV.faultInjection]: undefined,
    STAGE: undefined,
    ...env,
  };
  for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
  vi.resetModules();
  return (await import('../../../functions/edge/handlers/dashboard')).handler;
}

const DEPENDENCIES: [string, Dependency][] = [['/users/me', 'users'], ['/orders', 'orders'], ['/notifications', 'notifications']];

/**
 * Replaces the global fetch with the three dependencies. A list of replies is answered in turn,
 * its last one from then on; `replies` can be changed between requests.
 */
function stubApi(initial: Partial<Record<Dependency, Reply | Reply[]>> = {}) {
  const replies: Record<Dependency, Reply | Reply[]> = {
    users: { status: 200, body: profile },
    orders: { status: 200, body: orderPage(5) },
    notifications: { status: 200, body: notificationPage(3) },
    ...initial,
  };
  const calls: { dependency: Dependency; url: string; headers: Headers }[] = [];
  vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const { pathname } = new URL(url);
    const dependency = DEPENDENCIES.find(([path]) => pathname.endsWith(path))?.[1];
    if (!dependency) throw new Error(`Unexpected fetch of ${url}`);
    calls.push({ dependency, url, headers: new Headers(init?.headers) });
    const queued = replies[dependency];
    const reply = Array.isArray(queued) ? (queued.length > 1 ? queued.shift()! : queued[0]!) : queued;
    if (reply === 'refused') throw new TypeError('fetch failed');
    if (reply === 'hang') {
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    }
    return new Response(JSON.stringify(reply.body ?? {}), { status: reply.status, headers: { 'Content-Type': 'application/json' } });
  });
  return {
    replies,
    calls,
    count: (dependency: Dependency) => calls.filter((c) => c.dependency === dependency).length,
  };
}

const getDashboard = (handler: Handler, headers: Record<string, string> = {}) =>
  call<z.infer<typeof Dashboard>>(handler, {
    method: 'GET',
    path: '/me/dashboard',
    headers: { Host: 'api.example.com', ...bearer(profile.id), ...headers },
  });

const full = { user: profile, recentOrders: orderPage(5).items, unreadNotifications: 3, degraded: [] };

describe('GET /me/dashboard', () => {
  it('answers 401 without a token, and asks no dependency', async () => {
    const handler = await loadHandler();
    const api = stubApi();
    const response = await call(handler, { method: 'GET', path: '/me/dashboard', headers: { Host: 'api.example.com' } });
    expect(response.status).toBe(401);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(api.calls).toHaveLength(0);
  });

  it('answers the full dashboard with nothing degraded when every dependency answers', async () => {
    const handler = await loadHandler();
    stubApi();
    const response = await getDashboard(handler);
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.body).toEqual(full);
  });

  it('asks each context\'s own route, as the caller, under the request\'s correlation id', async () => {
    const handler = await loadHandler();
    const api = stubApi();
    const auth = bearer(profile.id);
    const response = await getDashboard(handler, auth);
    expect(api.calls.map((c) => c.url).sort()).toEqual([
      `${API_URL}/notifications?limit=1`,
      `${API_URL}/orders?limit=5`,
      `${API_URL}/users/me`,
    ]);
    for (const { headers } of api.calls) {
      expect(headers.get('authorization')).toBe(auth.Authorization);
      expect(headers.get('x-correlation-id')).toBe(response.headers['X-Correlation-Id']);
    }
  });

  it('leaves out a section whose dependency answers 500, names it, and still answers 200', async () => {
    const handler = await loadHandler();
    const api = stubApi({ orders: { status: 500, body: { title: 'Internal Server Error' } } });
    const response = await getDashboard(handler);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ user: profile, unreadNotifications: 3, degraded: ['recentOrders'] });
    expect(api.count('orders')).toBe(3);
  });

  it('retries a 429 and shows the section when the retry succeeds', async () => {
    const handler = await loadHandler();
    const api = stubApi({ notifications: [{ status: 429 }, { status: 200, body: notificationPage(3) }] });
    const response = await getDashboard(handler);
    expect(response.body).toEqual(full);
    expect(api.count('notifications')).toBe(2);
  });

  it('cuts each call to a dependency that does not answer at the call timeout, retries it, then degrades its section', async () => {
    const handler = await loadHandler({ [EDGE_ENV.callTimeoutMs]: String(CALL_TIMEOUT_MS) });
    const api = stubApi({ notifications: 'hang' });
    const response = await getDashboard(handler);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ user: profile, recentOrders: orderPage(5).items, degraded: ['unreadNotifications'] });
    // Every attempt the policy allows, each ended by its own timeout: the deadline is far away.
    expect(api.count('notifications')).toBe(3);
  });

  it('answers at the deadline when a dependency does not answer, though the call\'s own timeout is longer', async () => {
    const callTimeoutMs = 60_000;
    const handler = await loadHandler({ [EDGE_ENV.callTimeoutMs]: String(callTimeoutMs), [EDGE_ENV.deadlineMs]: String(DEADLINE_MS) });
    const api = stubApi({ notifications: 'hang' });
    const started = Date.now();
    const response = await getDashboard(handler);
    const elapsed = Date.now() - started;
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ user: profile, recentOrders: orderPage(5).items, degraded: ['unreadNotifications'] });
    // Timers fire late on a busy host, never early: not before the deadline, and long before the call's timeout.
    expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(elapsed).toBeLessThan(callTimeoutMs);
    expect(api.count('notifications')).toBe(1);
  });

  it('degrades the section of a dependency that cannot be reached', async () => {
    const handler = await loadHandler();
    stubApi({ users: 'refused' });
    const response = await getDashboard(handler);
    expect(response.body).toEqual({ recentOrders: orderPage(5).items, unreadNotifications: 3, degraded: ['user'] });
  });

  it('degrades a section whose answer breaks the contract, without retrying it', async () => {
    const handler = await loadHandler();
    const api = stubApi({ orders: { status: 200, body: { items: [{ orderId: 'o-1' }], nextCursor: null } } });
    const response = await getDashboard(handler);
    expect(response.body).toEqual({ user: profile, unreadNotifications: 3, degraded: ['recentOrders'] });
    expect(api.count('orders')).toBe(1);
  });

  it.each([401, 404])('degrades the user section when /users/me answers %i, without retrying it', async (status) => {
    const handler = await loadHandler();
    const api = stubApi({ users: { status } });
    const response = await getDashboard(handler);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ recentOrders: orderPage(5).items, unreadNotifications: 3, degraded: ['user'] });
    expect(api.count('users')).toBe(1);
  });

  it('opens the breaker of a failing dependency, skips it during the cool-down, and closes it after a good trial', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const handler = await loadHandler();
    const api = stubApi({ orders: { status: 503 } });

    // Three requests of three attempts each stay below the ten calls the breaker needs to judge.
    for (let request = 1; request <= 3; request += 1) expect((await getDashboard(handler)).body.degraded).toEqual(['recentOrders']);
    expect(api.count('orders')).toBe(9);
    // The fourth request's first attempt is the tenth failure: it opens, and ends the retries at once.
    expect((await getDashboard(handler)).body.degraded).toEqual(['recentOrders']);
    expect(api.count('orders')).toBe(10);

    // Open: the section fails fast, the dependency is not asked, even once it has recovered.
    api.replies.orders = { status: 200, body: orderPage(5) };
    expect((await getDashboard(handler)).body.degraded).toEqual(['recentOrders']);
    vi.setSystemTime(Date.now() + 9_999);
    expect((await getDashboard(handler)).body.degraded).toEqual(['recentOrders']);
    expect(api.count('orders')).toBe(10);

    // Half-open after the cool-down: one trial goes through, succeeds, and closes the breaker.
    vi.setSystemTime(Date.now() + 1);
    expect((await getDashboard(handler)).body).toEqual(full);
    expect(api.count('orders')).toBe(11);
    expect((await getDashboard(handler)).body).toEqual(full);
    expect(api.count('orders')).toBe(12);
  });

  it('keeps the breakers of the other dependencies closed', async () => {
    const handler = await loadHandler();
    const api = stubApi({ orders: { status: 503 } });
    for (let request = 0; request < 5; request += 1) await getDashboard(handler);
    expect(api.count('orders')).toBe(10);
    expect(api.count('users')).toBe(5);
    expect(api.count('notifications')).toBe(5);
  });

  it('never lets one request open a breaker: a dependency that failed it is asked again by the next', async () => {
    const handler = await loadHandler();
    const api = stubApi({ users: 'refused' });
    expect((await getDashboard(handler)).body.degraded).toEqual(['user']);
    expect(api.count('users')).toBe(3);
    api.replies.users = { status: 200, body: profile };
    expect((await getDashboard(handler)).body).toEqual(full);
  });

  it.each([
    ['401', { status: 401 }, 1],
    ['404', { status: 404 }, 1],
    ['429 (the API throttling one busy caller)', { status: 429 }, 3],
  ] as const)("never holds a caller's %s against the dependency, however often", async (_name, reply, attempts) => {
    const handler = await loadHandler();
    const api = stubApi({ users: reply });
    for (let request = 0; request < 6; request += 1) expect((await getDashboard(handler)).body.degraded).toEqual(['user']);
    // Every request still asked the dependency: its breaker never opened.
    expect(api.count('users')).toBe(6 * attempts);
    api.replies.users = { status: 200, body: profile };
    expect((await getDashboard(handler)).body).toEqual(full);
  });
});

describe('GET /me/dashboard: where the dependencies are', () => {
  it('calls the configured API whatever Host and X-Forwarded-Proto the request carries', async () => {
    const handler = await loadHandler();
    const api = stubApi();
    const response = await getDashboard(handler, { Host: '127.0.0.1:4444', 'X-Forwarded-Proto': 'http', 'X-Forwarded-Host': 'evil.example' });
    expect(response.body).toEqual(full);
    expect(api.calls.map((c) => c.url).sort()).toEqual([
      `${API_URL}/notifications?limit=1`,
      `${API_URL}/orders?limit=5`,
      `${API_URL}/users/me`,
    ]);
  });

  it('appends the routes to the configured URL, with or without a trailing slash', async () => {
    const handler = await loadHandler({ [ENV.apiUrl]: 'http://127.0.0.1:3000/' });
    const api = stubApi();
    await getDashboard(handler);
    expect(api.calls.map((c) => c.url)).toContain('http://127.0.0.1:3000/users/me');
  });

  it.each([undefined, 'abc123.execute-api.us-east-1.amazonaws.com', 'ftp://api.example.com', 'https://api.example.com/dev?x=1'])(
    'refuses to start with %s as the API URL',
    async (value) => {
      await expect(loadHandler({ [ENV.apiUrl]: value })).rejects.toThrow(new RegExp(`Invalid function configuration: ${ENV.apiUrl}`));
    },
  );
});

describe('GET /me/dashboard: the fault switch', () => {
  const faults = { 'X-Fault-Inject': 'recentOrders, unreadNotifications' };

  it('fails the named sections when the function has FAULT_INJECTION=enabled', async () => {
    const handler = await loadHandler({ [EDGE_ENV.faultInjection]: 'enabled' });
    const api = stubApi();
    const response = await getDashboard(handler, faults);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ user: profile, degraded: ['recentOrders', 'unreadNotifications'] });
    expect(api.count('orders')).toBe(0);
    expect(api.count('notifications')).toBe(0);
  });

  it('fails them for that request only: however many, they never open the breakers every caller shares', async () => {
    const handler = await loadHandler({ [EDGE_ENV.faultInjection]: 'enabled' });
    const api = stubApi();
    for (let request = 0; request < 6; request += 1) {
      expect((await getDashboard(handler, { 'X-Fault-Inject': 'user,recentOrders,unreadNotifications' })).body.degraded).toHaveLength(3);
    }
    expect(api.calls).toHaveLength(0);
    expect((await getDashboard(handler)).body).toEqual(full);
  });

  it('ignores the header when the function has no FAULT_INJECTION', async () => {
    const handler = await loadHandler();
    const api = stubApi();
    const response = await getDashboard(handler, faults);
    expect(response.body).toEqual(full);
    expect(api.count('orders')).toBe(1);
  });

  it('ignores the header when FAULT_INJECTION is anything but enabled', async () => {
    const handler = await loadHandler({ [EDGE_ENV.faultInjection]: 'disabled' });
    stubApi();
    expect((await getDashboard(handler, faults)).body).toEqual(full);
  });

  it('refuses to start in prod with FAULT_INJECTION=enabled', async () => {
    await expect(loadHandler({ [EDGE_ENV.faultInjection]: 'enabled', STAGE: 'prod' })).rejects.toThrow(/FAULT_INJECTION must never be enabled in prod/);
  });
});
