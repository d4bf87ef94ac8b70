import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '../../../functions/shared/ids';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

afterEach(() => vi.restoreAllMocks());

describe('newId', () => {
  it('gives ULIDs that sort in the order they were made, within a millisecond and across', () => {
    let now = Date.UTC(2026, 11, 3);
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const ids = Array.from({ length: 40 }, (_, i) => {
      if (i % 4 === 0) now += 1;
      return newId();
    });
    for (const id of ids) expect(id).toMatch(ULID);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('asks the system for random bytes once per many ids, not once per character', () => {
    let now = Date.UTC(2026, 11, 3);
    vi.spyOn(Date, 'now').mockImplementation(() => (now += 1));
    const getRandomValues = vi.spyOn(globalThis.crypto, 'getRandomValues');
    const ids = Array.from({ length: 64 }, () => newId());
    // 64 ids in 64 milliseconds: 1,024 random characters, from 256-byte fills.
    expect(getRandomValues.mock.calls.length).toBeLessThanOrEqual(5);
    // Each id's random part still varies.
    expect(new Set(ids.map((id) => id.slice(10))).size).toBe(ids.length);
  });
});
