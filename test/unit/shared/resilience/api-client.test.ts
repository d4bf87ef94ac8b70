import * as z from 'zod';
import { describe, expect, it, vi } from 'vitest';
import {
  breakerVerdict, getValidated, InvalidAnswerError, postValidated, isTransient, NetworkError, UnexpectedStatusError,
} from '../../../../functions/shared/resilience/api-client';
import { TimeoutError } from '../../../../functions/shared/resilience/timeout';

const Schema = z.object({ unreadCount: z.number() });
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function get(fetcher: typeof fetch, timeoutMs = 1000) {
  return getValidated('https://api.example.com/notifications?limit=1', Schema, {
    headers: { Authorization: 'Bearer t' }, timeoutMs, fetcher,
  }).catch((error: unknown) => error);
}

describe('getValidated', () => {
  it('GETs the URL with the given headers and returns the validated answer', async () => {
    const fetcher = vi.fn<typeof fetch>(async () => json(200, { unreadCount: 2, extra: true }));
    expect(await get(fetcher)).toEqual({ unreadCount: 2 });
    const [url, init] = fetcher.mock.calls[0]!;
    expect(url).toBe('https://api.example.com/notifications?limit=1');
    expect(init).toMatchObject({ method: 'GET', headers: { Accept: 'application/json', Authorization: 'Bearer t' } });
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });

  it('turns a 5xx into a transient fault', async () => {
    const error = await get(async () => json(503, { title: 'down' }));
    expect(error).toEqual(new UnexpectedStatusError(503));
    expect(isTransient(error)).toBe(true);
  });

  it('turns a 429 into a transient error', async () => {
    const error = await get(async () => json(429, {}));
    expect(isTransient(error)).toBe(true);
  });

  it('turns a 4xx into an error that is neither retried nor held against the dependency', async () => {
    const error = await get(async () => json(404, {}));
    expect((error as UnexpectedStatusError).status).toBe(404);
    expect(isTransient(error)).toBe(false);
  });

  it('turns a connection failure into a transient NetworkError', async () => {
    const error = await get(async () => { throw new TypeError('fetch failed'); });
    expect(error).toBeInstanceOf(NetworkError);
    expect(isTransient(error)).toBe(true);
  });

  it('turns a dependency that does not answer in time into a transient TimeoutError', async () => {
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const error = await get(hanging, 20);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isTransient(error)).toBe(true);
  });

  it('turns an answer that breaks the contract into a fault that is not retried', async () => {
    const error = await get(async () => json(200, { unreadCount: 'many' }));
    expect(error).toBeInstanceOf(InvalidAnswerError);
    expect((error as Error).message).toContain('unreadCount');
    expect(isTransient(error)).toBe(false);
  });

  it('turns a body that is not JSON into an InvalidAnswerError', async () => {
    expect(await get(async () => new Response('<html>', { status: 200 }))).toBeInstanceOf(InvalidAnswerError);
  });
});

describe('postValidated', () => {
  it('POSTs the body as JSON with the given headers and returns the validated answer', async () => {
    const fetcher = vi.fn<typeof fetch>(async () => json(202, { unreadCount: 1 }));
    const answer = await postValidated('https://api.example.com/orders', { items: [1] }, Schema, {
      headers: { 'Idempotency-Key': 'k' }, timeoutMs: 1000, fetcher,
    });
    expect(answer).toEqual({ unreadCount: 1 });
    const [, init] = fetcher.mock.calls[0]!;
    expect(init).toMatchObject({
      method: 'POST', body: '{"items":[1]}', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k' },
    });
  });

  it('turns a 4xx into a typed error that is not transient, keeping the body that says why', async () => {
    const error = await postValidated('https://api.example.com/orders', {}, Schema, {
      headers: {}, timeoutMs: 1000, fetcher: async () => json(422, { title: 'no' }),
    }).catch((e: unknown) => e);
    expect(error).toEqual(new UnexpectedStatusError(422, { title: 'no' }));
    expect((error as UnexpectedStatusError).answer).toEqual({ title: 'no' });
    expect(isTransient(error)).toBe(false);
  });
});

describe('breakerVerdict: what an error says about the dependency every caller shares', () => {
  const hanging: typeof fetch = (_url, init) =>
    new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));

  it.each([500, 502, 503, 504])('holds a %i against it', async (status) => {
    expect(breakerVerdict(await get(async () => json(status, {})))).toBe('failure');
  });

  it('holds a refused connection, a timeout and an answer that breaks the contract against it', async () => {
    expect(breakerVerdict(await get(async () => { throw new TypeError('fetch failed'); }))).toBe('failure');
    expect(breakerVerdict(await get(hanging, 20))).toBe('failure');
    expect(breakerVerdict(await get(async () => json(200, { unreadCount: 'many' })))).toBe('failure');
  });

  it.each([400, 401, 403, 404, 409])("takes the caller's own %i as a sound answer: it works, and said no", async (status) => {
    expect(breakerVerdict(await get(async () => json(status, {})))).toBe('success');
  });

  it('ignores a 429: the API throttling one busy caller says nothing about the dependency', async () => {
    expect(breakerVerdict(await get(async () => json(429, {})))).toBe('ignore');
  });

  it('ignores errors that are not the dependency\'s (ours, or anything unexpected)', () => {
    expect(breakerVerdict(new Error('a bug of ours'))).toBe('ignore');
    expect(breakerVerdict('thrown string')).toBe('ignore');
  });
});
