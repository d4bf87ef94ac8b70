import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../../functions/shared/cursor';
import { testKeys, useHandlerEnvironment } from '../../support/handler-env';
import { call, type ApiResponse } from '../../support/http';
import { problem } from '../../support/problem';
import { deliver, eventIdOf, listNotifications, loadHandlers, newOrderId, newUserId, orderEvents, registered, withMetadata, type Handlers, type Page } from './fixture';
import { queued } from '../../support/bus-event';

let handlers: Handlers;

beforeAll(async () => {
  await useHandlerEnvironment('notifications-api');
  handlers = await loadHandlers();
});


/** A user with `count` notifications, one a minute apart; answers their ids, newest first. */
async function userWithNotifications(count: number): Promise<{ userId: string; newestFirst: string[] }> {
  const userId = newUserId();
  const events = Array.from({ length: count }, (_, i) =>
    withMetadata(i === 0 ? registered(userId) : orderEvents.shipped(userId, newOrderId()), {
      occurredAt: new Date(Date.UTC(2026, 2, 1, 10, i)).toISOString(),
    }),
  );
  // Delivered newest first: the listing's order comes from the events, not from their arrival.
  const arrival = [...events].reverse();
  for (let i = 0; i < arrival.length; i += 10) {
    expect(await deliver(handlers, ...arrival.slice(i, i + 10).map((e) => queued(e)))).toEqual({ batchItemFailures: [] });
  }
  return { userId, newestFirst: events.map(eventIdOf).reverse() };
}

/** Every page of the user's listing, following nextCursor until it is null. */
async function allPages(userId: string, limit: number): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const response: ApiResponse<Page> = await listNotifications(handlers, userId, { limit: String(limit), ...(cursor ? { cursor } : {}) });
    expect(response.status).toBe(200);
    pages.push(response.body);
    cursor = response.body.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

describe('GET /notifications', () => {
  it('answers 401 without a valid token', async () => {
    const anonymous = await listNotifications(handlers, undefined);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['Content-Type']).toBe('application/problem+json');
    const forged = await call(handlers.list, { method: 'GET', path: '/notifications', headers: { Authorization: 'Bearer abc.def.ghi' } });
    expect(forged.status).toBe(401);
  });

  it('answers an empty page and a zero count to a user with no notifications', async () => {
    const response = await listNotifications(handlers, newUserId());
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ items: [], nextCursor: null, unreadCount: 0 });
  });

  it('pages through the caller\'s notifications newest first, each page with the unread count of all of them', async () => {
    const { userId, newestFirst } = await userWithNotifications(5);
    const pages = await allPages(userId, 2);
    expect(pages.map((p) => p.items.map((n) => n.id))).toEqual([newestFirst.slice(0, 2), newestFirst.slice(2, 4), newestFirst.slice(4)]);
    expect(pages.map((p) => p.unreadCount)).toEqual([5, 5, 5]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages[0]!.items[0]).toEqual({
      id: newestFirst[0], type: 'ORDER_SHIPPED', orderId: expect.any(String), subject: expect.any(String), body: expect.any(String),
      read: false, createdAt: '2026-03-01T10:04:00.000Z',
    });
    expect(pages.at(-1)!.items[0]!.type).toBe('WELCOME');
    expect(pages.at(-1)!.items[0]).not.toHaveProperty('orderId');
  });

  it('ends a listing that fills its last page exactly with nextCursor null, not an empty page', async () => {
    const { userId, newestFirst } = await userWithNotifications(4);
    const pages = await allPages(userId, 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2]);
    expect(pages.flatMap((p) => p.items.map((n) => n.id))).toEqual(newestFirst);
  });

  it('pages at 20 by default and shows the caller only their own notifications', async () => {
    const { userId, newestFirst } = await userWithNotifications(21);
    const other = await userWithNotifications(1);
    const first = await listNotifications(handlers, userId);
    expect(first.body.items.map((n) => n.id)).toEqual(newestFirst.slice(0, 20));
    expect(first.body.unreadCount).toBe(21);
    expect((await listNotifications(handlers, other.userId)).body.items.map((n) => n.id)).toEqual(other.newestFirst);
  });

  it('answers 400 on a limit outside 1..100', async () => {
    const userId = newUserId();
    for (const limit of ['0', '101', 'ten']) {
      const response = await listNotifications(handlers, userId, { limit });
      expect(response.status, limit).toBe(400);
      expect(problem(response).errors!.map((e) => e.path)).toEqual(['query.limit']);
    }
  });

  describe('answers 400 on query.cursor, never 500, for a cursor it did not issue for the listing', () => {
    let userId: string;
    let cursor: string;

    beforeAll(async () => {
      ({ userId } = await userWithNotifications(3));
      cursor = (await listNotifications(handlers, userId, { limit: '1' })).body.nextCursor!;
      expect(cursor).toEqual(expect.any(String));
      // The genuine cursor works, so every 400 below is the cursor's fault.
      expect((await listNotifications(handlers, userId, { limit: '1', cursor })).status).toBe(200);
    });

    const expectInvalidCursor = async (caller: string, query: Record<string, string>) => {
      const response = await listNotifications(handlers, caller, query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
      expect(problem(response).errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    };

    it('forged: random text, or a well-formed cursor signed with another key', async () => {
      await expectInvalidCursor(userId, { cursor: 'not-a-cursor' });
      await expectInvalidCursor(userId, { cursor: 'a.b' });
      await expectInvalidCursor(userId, { cursor: `${cursor}.extra` });
      const position = { createdAt: '2026-03-01T10:01:00.000Z', id: 'x' };
      await expectInvalidCursor(userId, { cursor: encodeCursor(position, `notifications:user:${userId}`, Buffer.alloc(32, 7)) });
    });

    it('edited: the position changed under the original signature', async () => {
      const [payload, signature] = cursor.split('.') as [string, string];
      const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: string; p: object };
      const edited = Buffer.from(JSON.stringify({ ...decoded, p: { createdAt: '9999-12-31T00:00:00.000Z', id: 'z' } })).toString('base64url');
      await expectInvalidCursor(userId, { cursor: `${edited}.${signature}` });
    });

    it("another user's cursor, or one of another listing signed with the real key", async () => {
      await expectInvalidCursor(newUserId(), { cursor });
      await expectInvalidCursor(userId, { cursor: encodeCursor({ beforeId: 'x' }, 'products:all', testKeys.cursor) });
      await expectInvalidCursor(userId, { cursor: encodeCursor({ createdAt: 1, id: 2 }, `notifications:user:${userId}`, testKeys.cursor) });
    });
  });
});
