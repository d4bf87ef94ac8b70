import { describe, expect, it } from 'vitest';
import { SearchProductsQuery } from '../../../functions/contracts/api/catalog';
import { parseBenchArgs } from '../../../scripts/bench/main';
import { benchProduct, SEARCH_MIX } from '../../../scripts/bench/search';

describe('npm run bench -- search', () => {
  it('runs when named, and not in a plain npm run bench', () => {
    expect(parseBenchArgs(['search']).parts).toEqual(['search']);
    expect(parseBenchArgs([]).parts).not.toContain('search');
    expect(() => parseBenchArgs(['serch'])).toThrow(/search/);
  });

  it('seeds distinct products and asks only valid queries', () => {
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => benchProduct(i).id));
    expect(ids.size).toBe(10_000);
    expect(benchProduct(42)).toEqual(benchProduct(42));
    for (const query of SEARCH_MIX) expect(SearchProductsQuery.safeParse(query).success, JSON.stringify(query)).toBe(true);
  });
});
