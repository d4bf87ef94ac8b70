import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useHandlerEnvironment } from '../../support/handler-env';
import { call, type ApiResponse } from '../../support/http';

type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;
let env: Env;
type Handler = Parameters<typeof call>[0];
let handlers: Record<'register' | 'login', Handler>;

beforeAll(async () => {
  env = await useHandlerEnvironment('users-throttle');
  handlers = {
    register: (await import('../../../functions/users/handlers/register')).handler,
    login: (await import('../../../functions/users/handlers/login')).handler,
  };
});

afterEach(() => {
  vi.restoreAllMocks();
});

let counter = 0;
const uniqueEmail = () => `throttle${Date.now()}${counter++}@example.com`;
const PASSWORD = 'correct horse';

const login = (email: string, password: string) => call(handlers.login, { method: 'POST', path: '/auth/login', body: { email, password } });
const wrong = (email: string) => login(email, 'wrong horse');

async function registered(): Promise<string> {
  const email = uniqueEmail();
  const response = await call(handlers.register, { method: 'POST', path: '/auth/register', body: { email, password: PASSWORD, name: 'Ada' } });
  expect(response.status).toBe(201);
  return email;
}

/** Moves the clock the login reads (Date.now) by `ms`, from wherever it is now. */
function advanceClock(ms: number): void {
  const current = Date.now();
  vi.spyOn(Date, 'now').mockReturnValue(current + ms);
}

function expectThrottled(response: ApiResponse, retryAfter?: number): number {
  expect(response.status, JSON.stringify(response.body)).toBe(429);
  expect(response.headers['Content-Type']).toBe('application/problem+json');
  expect(response.body).toMatchObject({ status: 429, title: 'Too Many Requests', type: expect.stringContaining('login-throttled') });
  const seconds = Number(response.headers['Retry-After']);
  expect(response.headers['Retry-After']).toMatch(/^[1-9][0-9]*$/);
  if (retryAfter !== undefined) expect(seconds).toBe(retryAfter);
  return seconds;
}

async function fiveFailures(email: string): Promise<ApiResponse[]> {
  const responses: ApiResponse[] = [];
  for (let i = 0; i < 5; i += 1) responses.push(await wrong(email));
  for (const response of responses) expect(response.status).toBe(401);
  return responses;
}

describe('POST /auth/login throttling', () => {
  it.each([
    ['a known email', registered],
    ['an unknown email', async () => uniqueEmail()],
  ])('answers 5 × 401, then 429 + Retry-After without checking the password, for %s', async (_name, emailOf) => {
    const email = await emailOf();
    const failures = await fiveFailures(email);
    expectThrottled(await wrong(email), 30);
    // The right password is refused too: a throttled attempt is not checked at all.
    const refused = await login(email, PASSWORD);
    expectThrottled(refused, 60);
    expect(refused.body.detail).toEqual(expect.any(String));
    expect(JSON.stringify(refused.body)).not.toContain(email);
    expectThrottled(await login(email.toUpperCase(), PASSWORD), 120);
    // One message for both kinds of email, throttled or not.
    expect(failures[0]!.body.detail).toBe('The email or password is incorrect');
  });

  it('answers a known and an unknown email alike, status for status, header for header', async () => {
    const known = await registered();
    const unknown = uniqueEmail();
    for (let i = 0; i < 8; i += 1) {
      const [a, b] = [await wrong(known), await wrong(unknown)];
      expect(a.status).toBe(b.status);
      expect(a.headers['Retry-After']).toBe(b.headers['Retry-After']);
      expect(a.body.detail).toBe(b.body.detail);
      expect(a.body.type).toBe(b.body.type);
    }
  });

  it('checks at most 5 passwords of 20 parallel wrong attempts, for a known and an unknown email', async () => {
    for (const email of [await registered(), uniqueEmail()]) {
      const responses = await Promise.all(Array.from({ length: 20 }, () => wrong(email)));
      const statuses = responses.map((r) => r.status);
      // A 401 is the answer of a checked password; a 429 was refused before any check.
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(15);
      for (const response of responses.filter((r) => r.status === 429)) expectThrottled(response);
      expectThrottled(await login(email, PASSWORD));
    }
  });

  it('clears the count on a successful login', async () => {
    const email = await registered();
    for (let i = 0; i < 4; i += 1) expect((await wrong(email)).status).toBe(401);
    expect((await login(email, PASSWORD)).status).toBe(200);
    await fiveFailures(email);
    expectThrottled(await wrong(email), 30);
  });

  it('lets one attempt through once the lock lapses: the right password logs in and clears the count', async () => {
    const email = await registered();
    await fiveFailures(email);
    const seconds = expectThrottled(await wrong(email), 30);
    advanceClock(seconds * 1000);
    expect((await login(email, PASSWORD)).status).toBe(200);
    await fiveFailures(email);
  });

  it('locks again, twice as long, when the attempt after a lapsed lock fails', async () => {
    const email = uniqueEmail();
    await fiveFailures(email);
    expectThrottled(await wrong(email), 30);
    expectThrottled(await wrong(email), 60);
    advanceClock(60_000);
    expect((await wrong(email)).status).toBe(401);
    expectThrottled(await login(email, PASSWORD), 240);
  });

  it('of parallel attempts after a lapsed lock, only one is checked', async () => {
    const email = uniqueEmail();
    await fiveFailures(email);
    expectThrottled(await wrong(email), 30);
    advanceClock(30_000);
    const statuses = (await Promise.all(Array.from({ length: 10 }, () => wrong(email)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
  });

  it('counts failures within 15 minutes: a window that has passed starts over', async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 4; i += 1) expect((await wrong(email)).status).toBe(401);
    advanceClock(15 * 60_000 + 1);
    await fiveFailures(email);
    expectThrottled(await wrong(email), 30);
  });

  it('forgets a lock 15 minutes after it lapsed: five fresh attempts', async () => {
    const email = uniqueEmail();
    await fiveFailures(email);
    expectThrottled(await wrong(email), 30);
    advanceClock(30_000 + 15 * 60_000 + 1);
    await fiveFailures(email);
  });

  it('keeps one record per normalized email, with a TTL, beside the accounts', async () => {
    const email = uniqueEmail();
    expect((await wrong(`  ${email.toUpperCase()} `)).status).toBe(401);
    const { Item } = await env.db.send(
      new GetCommand({ TableName: env.tableName, Key: { pk: `LOGIN#${email.toLowerCase()}`, sk: 'THROTTLE' }, ConsistentRead: true }),
    );
    expect(Item).toMatchObject({ kind: 'loginThrottle', attempts: 1 });
    const nowSeconds = Date.now() / 1000;
    expect(Item!.ttl).toBeGreaterThan(nowSeconds + 60 * 60);
    expect(Item!.ttl).toBeLessThanOrEqual(Math.ceil(nowSeconds + 75 * 60) + 1);
    expect(JSON.stringify(Item)).not.toContain('wrong horse');
  });
});
