import { describe, expect, it, vi } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../functions/shared/cursor';
import { ValidationError } from '../../../functions/shared/errors';
import { paginate, type Listing } from '../../../functions/shared/paging';

const key = Buffer.alloc(32, 4);
const ids = ['e', 'd', 'c', 'b', 'a'];

/** Five items, newest first, after the position given (ids descend). */
function listing(scope = 'things:all'): Listing<{ id: string }, 'beforeId'> & { reads: { after?: string; limit: number }[] } {
  const reads: { after?: string; limit: number }[] = [];
  return {
    scope,
    key,
    fields: ['beforeId'],
    positionOf: (item) => ({ beforeId: item.id }),
    read: vi.fn(async (after, limit) => {
      reads.push({ after: after?.beforeId, limit });
      return ids.filter((id) => after === undefined || id < after.beforeId).slice(0, limit).map((id) => ({ id }));
    }),
    reads,
  };
}

describe('paginate', () => {
  it('reads one item more than the page and gives a cursor only while more follow', async () => {
    const things = listing();
    const first = await paginate(things, { limit: 2 });
    expect(first.items.map((item) => item.id)).toEqual(['e', 'd']);
    expect(decodeCursor(first.nextCursor!, 'things:all', key)).toEqual({ beforeId: 'd' });
    const second = await paginate(things, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((item) => item.id)).toEqual(['c', 'b']);
    const last = await paginate(things, { limit: 2, cursor: second.nextCursor! });
    expect(last).toEqual({ items: [{ id: 'a' }], nextCursor: null });
    expect(things.reads).toEqual([{ limit: 3 }, { after: 'd', limit: 3 }, { after: 'b', limit: 3 }]);
  });

  it('ends a listing that fills the page exactly without a cursor to an empty page', async () => {
    expect((await paginate(listing(), { limit: 5 })).nextCursor).toBeNull();
  });

  it.each([
    ['a cursor of another scope', () => encodeCursor({ beforeId: 'd' }, 'things:other', key)],
    ['a cursor without the position field', () => encodeCursor({ id: 'd' }, 'things:all', key)],
    ['a cursor whose position is not a string', () => encodeCursor({ beforeId: 4 }, 'things:all', key)],
    ['random text', () => 'hello'],
  ])('refuses %s with a 400 on query.cursor, before reading anything', async (_name, make) => {
    const things = listing();
    const refused = paginate(things, { limit: 2, cursor: make() });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ errors: [{ path: 'query.cursor' }] });
    expect(things.read).not.toHaveBeenCalled();
  });
});
