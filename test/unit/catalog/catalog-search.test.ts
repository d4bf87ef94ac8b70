import { describe, expect, it } from 'vitest';
import { SearchProductsQuery } from '../../../functions/contracts/api/catalog';
import { CHANGE_OVERLAP_MS, LiveSearchIndex, searchProducts, type SearchProjectionReader } from '../../../functions/catalog/domain/search';
import { SearchIndex, type ProjectedProduct, type ProjectionEntry } from '../../../functions/catalog/domain/search-index';
import { normalizeText, tokenize } from '../../../functions/catalog/domain/search-text';
import { ValidationError } from '../../../functions/shared/errors';

const KEY = Buffer.alloc(32, 7);

function product(id: string, fields: Partial<ProjectedProduct> = {}): ProjectedProduct {
  return {
    id, name: 'Thing', description: '', category: 'misc', priceCents: 1000, currency: 'USD', sku: `SKU-${id}`,
    status: 'ACTIVE', version: 1, ...fields,
  };
}

function indexOf(...products: ProjectionEntry[]): SearchIndex {
  const index = new SearchIndex();
  for (const entry of products) index.apply(entry);
  return index;
}

/** A reader over a fixed set of entries, counting its calls. */
function reader(entries: ProjectionEntry[], changes: ProjectionEntry[] = []) {
  const calls = { all: 0, since: [] as string[] };
  const projection: SearchProjectionReader = {
    all: async () => (calls.all++, entries),
    changedSince: async (since) => (calls.since.push(since), changes),
  };
  return { projection, calls };
}

const ids = (hits: { id: string }[]) => hits.map((hit) => hit.id);
const query = (raw: Record<string, string>) => SearchProductsQuery.parse(raw);

describe('search text', () => {
  it('drops accents and case, and splits on anything but letters and digits', () => {
    expect(normalizeText('Café CRÈME')).toBe('cafe creme');
    expect(tokenize('Café crème, 250-ml (ﬁne) naïve')).toEqual(['cafe', 'creme', '250', 'ml', 'fine', 'naive']);
    expect(tokenize('  ¡!  ')).toEqual([]);
  });
});

describe('SearchIndex', () => {
  const catalog = indexOf(
    product('a', { name: 'Café crème', description: 'Smooth coffee' }),
    product('b', { name: 'Coffee grinder', description: 'For cafe beans' }),
    product('c', { name: 'Cafetière', description: 'French press' }),
    product('d', { name: 'Tea pot', category: 'kitchen', priceCents: 3000 }),
  );

  it('finds every word, accent- and case-insensitively', () => {
    expect(ids(catalog.search(tokenize('CAFÉ crème')))).toEqual(['a']);
    expect(ids(catalog.search(tokenize('creme cafe')))).toEqual(['a']);
    expect(catalog.search(tokenize('cafe tea'))).toEqual([]);
  });

  it('takes the last word as a prefix too, but not the others', () => {
    expect(ids(catalog.search(tokenize('caf')))).toEqual(['a', 'c', 'b']);
    expect(catalog.search(tokenize('caf creme'))).toEqual([]);
  });

  it('ranks name above description and whole words above prefixes, ties by id', () => {
    const hits = catalog.search(tokenize('cafe'));
    // a: "cafe" in the name (exact), c: "cafetiere" in the name (prefix), b: "cafe" in the description.
    expect(hits.map((hit) => [hit.id, hit.score])).toEqual([['a', 8], ['c', 4], ['b', 2]]);
    const ties = indexOf(product('z', { name: 'Mug' }), product('m', { name: 'Mug' }), product('q', { name: 'Mug' }));
    expect(ids(ties.search(['mug']))).toEqual(['m', 'q', 'z']);
  });

  it('filters by category and price range', () => {
    const pots = indexOf(
      product('p1', { name: 'Pot', category: 'kitchen', priceCents: 1000 }),
      product('p2', { name: 'Pot', category: 'kitchen', priceCents: 5000 }),
      product('p3', { name: 'Pot', category: 'garden', priceCents: 2000 }),
    );
    expect(ids(pots.search(['pot'], { category: 'kitchen' }))).toEqual(['p1', 'p2']);
    expect(ids(pots.search(['pot'], { minPriceCents: 2000 }))).toEqual(['p2', 'p3']);
    expect(ids(pots.search(['pot'], { maxPriceCents: 2000 }))).toEqual(['p1', 'p3']);
    expect(ids(pots.search(['pot'], { minPriceCents: 1500, maxPriceCents: 2500, category: 'garden' }))).toEqual(['p3']);
  });

  it('applies by version: an older or repeated change changes nothing, a tombstone removes for good', () => {
    const index = indexOf(product('a', { name: 'Lamp', version: 2 }));
    expect(index.apply(product('a', { name: 'Desk', version: 1 }))).toBe(false);
    expect(index.apply(product('a', { name: 'Lamp', version: 2 }))).toBe(false);
    expect(ids(index.search(['lamp']))).toEqual(['a']);
    expect(index.apply(product('a', { name: 'Desk lamp', version: 3 }))).toBe(true);
    expect(ids(index.search(['desk']))).toEqual(['a']);
    expect(index.apply({ id: 'a', status: 'ARCHIVED', version: 4 })).toBe(true);
    expect(index.apply(product('a', { name: 'Desk lamp', version: 3 }))).toBe(false);
    expect(index.search(['desk'])).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('forgets the words of a product that changed', () => {
    const index = indexOf(product('a', { name: 'Red chair' }));
    index.apply(product('a', { name: 'Blue chair', version: 2 }));
    expect(index.search(['red'])).toEqual([]);
    expect(index.search(['re'])).toEqual([]);
    expect(ids(index.search(['blu']))).toEqual(['a']);
  });
});

describe('LiveSearchIndex', () => {
  it('loads the projection once, then asks for the changes since its last look, less the overlap', async () => {
    let now = Date.parse('2026-12-03T10:00:00.000Z');
    const { projection, calls } = reader([product('a', { name: 'Lamp' })], [product('b', { name: 'Lamp' })]);
    const live = new LiveSearchIndex(projection, () => now);
    expect((await live.current()).size).toBe(1);
    now += 60_000;
    expect((await live.current()).size).toBe(2);
    now += 1_000;
    await live.current();
    expect(calls.all).toBe(1);
    expect(calls.since).toEqual([
      new Date(Date.parse('2026-12-03T10:00:00.000Z') - CHANGE_OVERLAP_MS).toISOString(),
      new Date(Date.parse('2026-12-03T10:01:00.000Z') - CHANGE_OVERLAP_MS).toISOString(),
    ]);
  });

  it('loads again after a failed first load', async () => {
    let fail = true;
    const live = new LiveSearchIndex({
      all: async () => { if (fail) throw new Error('down'); return [product('a')]; },
      changedSince: async () => [],
    });
    await expect(live.current()).rejects.toThrow('down');
    fail = false;
    expect((await live.current()).size).toBe(1);
  });
});

describe('searchProducts', () => {
  const many = Array.from({ length: 5 }, (_, i) => product(`p${i}`, { name: i % 2 === 0 ? 'Lamp' : 'Lamp shade' }));
  const live = () => new LiveSearchIndex(reader(many).projection);

  it('pages through the ranking with a signed cursor bound to the query', async () => {
    const index = live();
    const first = await searchProducts(index, query({ q: 'lamp', limit: '2' }), KEY);
    expect(ids(first.items)).toEqual(['p0', 'p1']);
    const second = await searchProducts(index, query({ q: 'LAMP', limit: '2', cursor: first.nextCursor! }), KEY);
    expect(ids(second.items)).toEqual(['p2', 'p3']);
    const last = await searchProducts(index, query({ q: 'lamp', limit: '2', cursor: second.nextCursor! }), KEY);
    expect(ids(last.items)).toEqual(['p4']);
    expect(last.nextCursor).toBeNull();
  });

  it('refuses a cursor of another query, of other filters, or tampered with', async () => {
    const index = live();
    const { nextCursor } = await searchProducts(index, query({ q: 'lamp', limit: '1' }), KEY);
    await expect(searchProducts(index, query({ q: 'lamp shade', cursor: nextCursor! }), KEY)).rejects.toBeInstanceOf(ValidationError);
    await expect(searchProducts(index, query({ q: 'lamp', category: 'misc', cursor: nextCursor! }), KEY)).rejects.toBeInstanceOf(ValidationError);
    const [payload, signature] = nextCursor!.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), p: { score: '99', id: 'a' } })).toString('base64url');
    await expect(searchProducts(index, query({ q: 'lamp', cursor: `${forged}.${signature}` }), KEY)).rejects.toBeInstanceOf(ValidationError);
  });

  it('answers a query without a letter or digit with a 400', async () => {
    await expect(searchProducts(live(), query({ q: '?!' }), KEY)).rejects.toMatchObject({ status: 400 });
  });
});

describe('SearchProductsQuery', () => {
  it('wants q of 1-100 characters, not blank, and a price range in order', () => {
    expect(SearchProductsQuery.safeParse({}).success).toBe(false);
    expect(SearchProductsQuery.safeParse({ q: '   ' }).success).toBe(false);
    expect(SearchProductsQuery.safeParse({ q: 'x'.repeat(101) }).success).toBe(false);
    expect(SearchProductsQuery.safeParse({ q: 'x'.repeat(100) }).success).toBe(true);
    const reversed = SearchProductsQuery.safeParse({ q: 'lamp', minPriceCents: '500', maxPriceCents: '100' });
    expect(reversed.error?.issues.map((issue) => issue.path)).toEqual([['maxPriceCents']]);
    expect(SearchProductsQuery.parse({ q: 'lamp', minPriceCents: '100', maxPriceCents: '100' }).limit).toBe(20);
  });
});
