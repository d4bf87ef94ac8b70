import { describe, expect, it } from 'vitest';
import { respellSignature } from '../support/respell';
import { api, expectProblem, registerAndLogin, unique, type Reply } from './support/api';

describe('users', () => {
  it('registers, logs in, reads and renames the profile', async () => {
    const email = `${unique('Ada')}@Example.com`;
    const created = await api.post('/auth/register', { body: { email, password: 'correct horse', name: 'Ada' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), email, name: 'Ada', role: 'customer', createdAt: expect.any(String) });
    expect(created.headers.get('x-correlation-id')).toBeTruthy();

    const login = await api.post('/auth/login', { body: { email: email.toLowerCase(), password: 'correct horse' } });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const token = login.body.accessToken as string;

    expect((await api.get('/users/me', { token })).body).toMatchObject({ id: created.body.id, email, role: 'customer' });
    const renamed = await api.patch('/users/me', { token, body: { name: 'Ada L.' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Ada L.');
    expect((await api.get('/users/me', { token })).body.name).toBe('Ada L.');
  });

  it('answers 409 for an email taken in any case', async () => {
    const { email } = await registerAndLogin();
    expectProblem(await api.post('/auth/register', { body: { email: email.toUpperCase(), password: 'another pw', name: 'B' } }), 409);
  });

  it('answers 400 for invalid registrations and malformed JSON', async () => {
    const invalid = await api.post('/auth/register', { body: { email: 'nope', password: 'short', name: '' } });
    expectProblem(invalid, 400);
    expect(invalid.body.errors).toBeInstanceOf(Array);
    expectProblem(await api.post('/auth/register', { rawBody: '{"email":' }), 400);
  });

  it('answers 401 with one message for a wrong password and an unknown email', async () => {
    const { email } = await registerAndLogin();
    const wrong = await api.post('/auth/login', { body: { email, password: 'wrong password' } });
    const unknown = await api.post('/auth/login', { body: { email: `${unique('ghost')}@example.com`, password: 'whatever1' } });
    expectProblem(wrong, 401);
    expectProblem(unknown, 401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('answers 401 for a missing, malformed or tampered token', async () => {
    const { token } = await registerAndLogin();
    expectProblem(await api.get('/users/me'), 401);
    expectProblem(await api.get('/users/me', { headers: { Authorization: 'Token abc' } }), 401);
    expectProblem(await api.get('/users/me', { token: `${token.slice(0, -2)}xx` }), 401);
    expectProblem(await api.patch('/users/me', { body: { name: 'x' } }), 401);
  });

  it('answers 401 for a token whose signature is spelled differently (the same bytes)', async () => {
    const { token } = await registerAndLogin();
    expect((await api.get('/users/me', { token })).status).toBe(200);
    expectProblem(await api.get('/users/me', { token: respellSignature(token) }), 401);
  });

  it('answers 400 for an invalid rename', async () => {
    const { token } = await registerAndLogin();
    expectProblem(await api.patch('/users/me', { token, body: { name: '' } }), 400);
    // Control characters (NUL, an ANSI escape) and a lone surrogate: refused, the name stays as it was.
    for (const name of ['A\u0000B', 'Red\u001b[31m', 'A\ud800B']) expectProblem(await api.patch('/users/me', { token, body: { name } }), 400);
    expect((await api.get('/users/me', { token })).body.name).toBe('E2E Customer');
  });

  it('carries a client correlation id through to the answer', async () => {
    // A body the gateway's model accepts, so that the function answers (401: no such account).
    const body = { email: `${unique('nobody')}@example.com`, password: 'not the password' };
    const reply = await api.post('/auth/login', { body, headers: { 'X-Correlation-Id': 'e2e-trace.1' } });
    expect(reply.headers.get('x-correlation-id')).toBe('e2e-trace.1');
    expect(reply.body.correlationId).toBe('e2e-trace.1');
  });
});

describe('login throttling', () => {
  const PASSWORD = 'correct horse battery';
  const attempt = (email: string, password: string) => api.post('/auth/login', { body: { email, password } });
  const failFiveTimes = async (email: string) => {
    for (let i = 0; i < 5; i += 1) expectProblem(await attempt(email, `wrong password ${i}`), 401);
  };
  const expectThrottled = (reply: Reply): number => {
    expectProblem(reply, 429);
    const retryAfter = reply.headers.get('retry-after') ?? '';
    expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
    expect(reply.headers.get('access-control-expose-headers') ?? '').toContain('Retry-After');
    return Number(retryAfter);
  };

  it.each(['a known', 'an unknown'])('answers 5 × 401, then 429 + Retry-After for %s email, the right password included', async (kind) => {
    const email = kind === 'a known' ? (await registerAndLogin()).email : `${unique('ghost')}@example.com`;
    await failFiveTimes(email);
    const first = expectThrottled(await attempt(email, 'wrong password again'));
    // Refused without a check: the right password gets the 429 too, and the wait doubles.
    const second = expectThrottled(await attempt(email, PASSWORD));
    expect(second).toBe(first * 2);
    expect(second).toBeLessThanOrEqual(3600);
  });

  it('answers the same detail for a throttled known and unknown email', async () => {
    const known = (await registerAndLogin()).email;
    const unknown = `${unique('ghost')}@example.com`;
    await failFiveTimes(known);
    await failFiveTimes(unknown);
    const [a, b] = [await attempt(known, PASSWORD), await attempt(unknown, PASSWORD)];
    expect(expectThrottled(a)).toBe(expectThrottled(b));
    expect(a.body.detail).toBe(b.body.detail);
  });

  it('resets the count on a successful login', async () => {
    const { email } = await registerAndLogin();
    for (let i = 0; i < 4; i += 1) expectProblem(await attempt(email, 'wrong password'), 401);
    expect((await attempt(email, PASSWORD)).status).toBe(200);
    await failFiveTimes(email);
    expectThrottled(await attempt(email, PASSWORD));
  });

  it('documents the 429 and its Retry-After in /openapi.json', async () => {
    const doc = await api.get<{ paths: Record<string, Record<string, { responses: Record<string, { headers?: Record<string, unknown> }> }>> }>('/openapi.json');
    const responses = doc.body.paths['/auth/login']!.post!.responses;
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['200', '401', '429']));
    expect(responses['429']!.headers).toHaveProperty('Retry-After');
  });
});
