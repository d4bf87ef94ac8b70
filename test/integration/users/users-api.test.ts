import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UserRegistered } from '../../../functions/contracts/events/users';
import { signAccessToken } from '../../../functions/shared/auth/jwt';
import { bearer, TEST_PASSWORD_HASH_COST, testKeys, useHandlerEnvironment } from '../../support/handler-env';
import { call } from '../../support/http';
import { respellSignature } from '../../support/respell';
import { transactionConflicts } from '../../support/transaction-conflicts';

type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;
let env: Env;
type Handler = Parameters<typeof call>[0];
let handlers: Record<'register' | 'login' | 'getMe' | 'updateMe', Handler>;

beforeAll(async () => {
  env = await useHandlerEnvironment('users');
  handlers = {
    register: (await import('../../../functions/users/handlers/register')).handler,
    login: (await import('../../../functions/users/handlers/login')).handler,
    getMe: (await import('../../../functions/users/handlers/get-me')).handler,
    updateMe: (await import('../../../functions/users/handlers/update-me')).handler,
  };
});

let counter = 0;
const uniqueEmail = () => `user${Date.now()}${counter++}@example.com`;

const register = (body: unknown, headers?: Record<string, string>) =>
  call(handlers.register, { method: 'POST', path: '/auth/register', body, headers });
const login = (body: unknown) => call(handlers.login, { method: 'POST', path: '/auth/login', body });
const getMe = (headers: Record<string, string> = {}) => call(handlers.getMe, { method: 'GET', path: '/users/me', headers });
const updateMe = (body: unknown, headers: Record<string, string>) =>
  call(handlers.updateMe, { method: 'PATCH', path: '/users/me', body, headers });

async function outboxEvents(): Promise<{ detailType: string; detail: string }[]> {
  const { Items = [] } = await env.db.send(
    new ScanCommand({ TableName: env.tableName, FilterExpression: 'kind = :k', ExpressionAttributeValues: { ':k': 'outbox' } }),
  );
  return Items as { detailType: string; detail: string }[];
}

async function signedUp(name = 'Ada') {
  const email = uniqueEmail();
  const created = await register({ email, password: 'correct horse', name });
  const token = await login({ email, password: 'correct horse' });
  return { email, id: created.body.id as string, auth: { Authorization: `Bearer ${token.body.accessToken}` } };
}

describe('POST /auth/register', () => {
  it('creates a customer, answers 201 with the profile and never the password', async () => {
    const email = uniqueEmail();
    const response = await register({ email, password: 'correct horse', name: 'Ada Lovelace' });
    expect(response.status).toBe(201);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.body).toEqual({
      id: expect.any(String), email, name: 'Ada Lovelace', role: 'customer', createdAt: expect.any(String),
    });
    expect(JSON.stringify(response.body)).not.toContain('correct horse');
  });

  it('writes UserRegistered to the outbox in the same transaction, valid against its contract', async () => {
    const email = uniqueEmail();
    const { body } = await register({ email, password: 'correct horse', name: 'Grace' });
    const events = (await outboxEvents()).filter((e) => JSON.parse(e.detail).data.userId === body.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.detailType).toBe(UserRegistered.detailType);
    const detail = UserRegistered.detail.parse(JSON.parse(events[0]!.detail));
    expect(detail.data).toEqual({ userId: body.id, email, name: 'Grace' });
  });

  it('hashes the password at the cost the stack sets (PASSWORD_HASH_COST), stored with the hash', async () => {
    const email = uniqueEmail();
    expect((await register({ email, password: 'correct horse', name: 'Ada' })).status).toBe(201);
    const { Item } = await env.db.send(new GetCommand({ TableName: env.tableName, Key: { pk: `EMAIL#${email}`, sk: 'EMAIL' }, ConsistentRead: true }));
    expect(Item!.passwordHash).toMatch(new RegExp(`^scrypt\\$${2 ** TEST_PASSWORD_HASH_COST}\\$8\\$3\\$`));
    expect((await login({ email, password: 'correct horse' })).status).toBe(200);
  });

  it('answers 409 for an email taken in another case, and writes nothing', async () => {
    const email = uniqueEmail();
    await register({ email, password: 'correct horse', name: 'First' });
    const before = (await outboxEvents()).length;
    const response = await register({ email: `  ${email.toUpperCase()} `, password: 'another one', name: 'Second' });
    expect(response.status).toBe(409);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 409, title: 'Conflict', type: expect.stringContaining('email-taken') });
    expect((await outboxEvents()).length).toBe(before);
  });

  it('answers 400 naming every failing field', async () => {
    const response = await register({ email: 'not-an-email', password: 'short', name: '' });
    expect(response.status).toBe(400);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    const paths = (response.body.errors as { path: string }[]).map((e) => e.path).sort();
    expect(paths).toEqual(['body.email', 'body.name', 'body.password']);
    expect(response.body.correlationId).toEqual(expect.any(String));
  });

  it('rejects unknown fields, a missing body, oversized passwords', async () => {
    expect((await register({ email: uniqueEmail(), password: 'correct horse', name: 'A', role: 'admin' })).status).toBe(400);
    expect((await register(undefined)).body.errors).toEqual([{ path: 'body', message: expect.any(String) }]);
    expect((await register({ email: uniqueEmail(), password: 'x'.repeat(129), name: 'A' })).status).toBe(400);
  });

  it('answers 400 malformed-json for a body that is not JSON', async () => {
    const response = await call(handlers.register, { method: 'POST', path: '/auth/register', rawBody: '{"email": ' });
    expect(response.status).toBe(400);
    expect(response.body.type).toContain('malformed-json');
  });

  it('answers 413 for a body over 64 KiB', async () => {
    const response = await register({ email: uniqueEmail(), password: 'correct horse', name: 'x'.repeat(70_000) });
    expect(response.status).toBe(413);
  });

  it('answers 415 for a body that is declared as something else than JSON', async () => {
    const response = await call(handlers.register, {
      method: 'POST', path: '/auth/register', rawBody: 'email=a', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(response.status).toBe(415);
  });

  it('honours a well-formed X-Correlation-Id and replaces a malformed one', async () => {
    const kept = await register({ email: 'bad' }, { 'X-Correlation-Id': 'trace-123.abc_DEF' });
    expect(kept.headers['X-Correlation-Id']).toBe('trace-123.abc_DEF');
    expect(kept.body.correlationId).toBe('trace-123.abc_DEF');
    const replaced = await register({ email: 'bad' }, { 'x-correlation-id': 'no spaces allowed' });
    expect(replaced.headers['X-Correlation-Id']).toMatch(/^[0-9A-Z]{26}$/);
  });
});

describe('POST /auth/register when DynamoDB cancels the write for a concurrent transaction (TransactionConflict)', () => {
  let conflicts: ReturnType<typeof transactionConflicts>;
  beforeAll(() => {
    conflicts = transactionConflicts();
  });
  afterEach(() => conflicts.stop());

  const itemsOf = async (email: string, userId?: string) => {
    const keys = [`EMAIL#${email.toLowerCase()}`, ...(userId ? [`USER#${userId}`] : [])];
    const found = await Promise.all(keys.map(async (pk) => (await env.db.send(
      new QueryCommand({ TableName: env.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk }, ConsistentRead: true }),
    )).Items ?? []));
    return found.flat();
  };
  const eventsFor = async (email: string) => (await outboxEvents()).filter((e) => JSON.parse(e.detail).data.email === email);

  it('retries: two conflicts, then the write goes through → 201, one account, one event', async () => {
    const email = uniqueEmail();
    conflicts.failNext(2);
    const response = await register({ email, password: 'correct horse', name: 'Retried' });
    expect(conflicts.injected()).toBe(2);
    expect(response.status).toBe(201);
    expect(await itemsOf(email, response.body.id as string)).toHaveLength(2);
    expect(await eventsFor(email)).toHaveLength(1);
    expect((await login({ email, password: 'correct horse' })).status).toBe(200);
  });

  it('gives up after a few conflicts → 409 problem+json, and nothing is half-written', async () => {
    const email = uniqueEmail();
    conflicts.failAll();
    const response = await register({ email, password: 'correct horse', name: 'Contended' });
    expect(conflicts.injected()).toBeGreaterThan(1);
    expect(response.status).toBe(409);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 409, type: expect.stringContaining('concurrent-update') });
    expect(JSON.stringify(response.body)).not.toMatch(/Transaction|Exception/);
    conflicts.stop();
    expect(await itemsOf(email)).toEqual([]);
    expect(await eventsFor(email)).toEqual([]);
    // The email was never claimed: the client's retry registers it.
    expect((await register({ email, password: 'correct horse', name: 'Contended' })).status).toBe(201);
  });
});

describe('POST /auth/login', () => {
  it('issues a 15-minute bearer token that GET /users/me accepts', async () => {
    const email = uniqueEmail();
    await register({ email, password: 'correct horse', name: 'Ada' });
    const response = await login({ email: email.toUpperCase(), password: 'correct horse' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: 900 });
    const me = await getMe({ Authorization: `Bearer ${response.body.accessToken}` });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(email);
  });

  it('answers 401 with one message for a wrong password and an unknown email', async () => {
    const email = uniqueEmail();
    await register({ email, password: 'correct horse', name: 'Ada' });
    const wrong = await login({ email, password: 'wrong horse' });
    const unknown = await login({ email: uniqueEmail(), password: 'correct horse' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.headers['Content-Type']).toBe('application/problem+json');
  });

  it('answers 400 for a body without credentials', async () => {
    const response = await login({ email: '' });
    expect(response.status).toBe(400);
    expect((response.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual(['body.email', 'body.password']);
  });
});

describe('GET /users/me', () => {
  it('returns the caller profile', async () => {
    const user = await signedUp('Katherine');
    const response = await getMe(user.auth);
    expect(response.body).toEqual({
      id: user.id, email: user.email, name: 'Katherine', role: 'customer', createdAt: expect.any(String),
    });
  });

  it('answers 401 without a token, with a malformed header, a tampered, expired or foreign token', async () => {
    const user = await signedUp();
    const token = user.auth.Authorization.slice('Bearer '.length);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const expired = signAccessToken({ userId: user.id, role: 'customer' }, testKeys.accessToken, new Date(Date.now() - 3600_000));
    const foreign = signAccessToken({ userId: user.id, role: 'customer' }, Buffer.alloc(32, 7));

    const missing = await getMe();
    expect(missing.status).toBe(401);
    expect(missing.headers['WWW-Authenticate']).toContain('Bearer');
    for (const authorization of [
      `Basic ${token}`,
      `Bearer ${header}.${elevated}.${signature}`,
      `Bearer ${expired.token}`,
      `Bearer ${foreign.token}`,
      'Bearer not.a.jwt',
      `Bearer ${token}x`,
      // The same signature bytes, spelled differently: not the token we issued.
      `Bearer ${respellSignature(token)}`,
    ]) {
      const response = await getMe({ Authorization: authorization });
      expect(response.status, authorization).toBe(401);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
    }
  });

  it('answers 404 for a valid token whose account does not exist', async () => {
    const response = await getMe(bearer('01NOSUCHUSER000000000000000'));
    expect(response.status).toBe(404);
  });
});

describe('PATCH /users/me', () => {
  it('renames the caller and returns the profile', async () => {
    const user = await signedUp('Old Name');
    const response = await updateMe({ name: 'New Name' }, user.auth);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id, name: 'New Name', email: user.email });
    expect((await getMe(user.auth)).body.name).toBe('New Name');
  });

  it('answers 400 for an empty or too long name, or an attempt to change other fields, and changes nothing', async () => {
    const user = await signedUp('Stays');
    // Control characters (NUL, an ANSI escape, C1), a lone surrogate and bidi overrides are no one's name: they forge lines and text in mails and logs.
    const unprintable = ['A\u0000B', 'Red\u001b[31m', 'A\u0085B', 'A\ud800B', '\u202Eevil', 'A\u2066B'].map((name) => ({ name }));
    for (const body of [{ name: '' }, { name: 'x'.repeat(101) }, { name: 'X', role: 'admin' }, {}, ...unprintable]) {
      expect((await updateMe(body, user.auth)).status).toBe(400);
    }
    expect((await getMe(user.auth)).body).toMatchObject({ name: 'Stays', role: 'customer' });
  });

  it('answers 401 without a token and 404 for a token of no account', async () => {
    expect((await updateMe({ name: 'X' }, {})).status).toBe(401);
    expect((await updateMe({ name: 'X' }, bearer('01NOSUCHUSER000000000000000'))).status).toBe(404);
  });

  it('does not create an account as a side effect of renaming a missing one', async () => {
    await updateMe({ name: 'Ghost' }, bearer('01GHOST0000000000000000000'));
    const { Items = [] } = await env.db.send(
      new QueryCommand({ TableName: env.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'USER#01GHOST0000000000000000000' } }),
    );
    expect(Items).toHaveLength(0);
  });
});
