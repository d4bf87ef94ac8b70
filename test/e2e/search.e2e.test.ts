import { beforeAll, describe, expect, it } from 'vitest';
import { respellSignature } from '../support/respell';
import { adminToken, api, eventually, expectProblem, unique } from './support/api';

let admin: string;

beforeAll(async () => {
  admin = await adminToken();
});

interface Hit { id: string; name: string; score: number; priceCents: number; category: string }
interface Page { items: Hit[]; nextCursor: string | null }

/** A word of letters and digits no other product has, so each test finds only its own products. */
const tag = () => `t${Math.random().toString(36).slice(2, 10)}${Date.now().toString(36)}`;

async function create(fields: Record<string, unknown>): Promise<string> {
  const reply = await api.post('/products', {
    token: admin, body: { description: '', category: 'search-e2e', priceCents: 1000, currency: 'USD', sku: unique('SRCH'), ...fields },
  });
  expect(reply.status).toBe(201);
  return reply.body.id as string;
}

const search = (query: Record<string, string>) => api.get<Page & Record<string, unknown>>(`/products/search?${new URLSearchParams(query).toString()}`);
const ids = (page: Page) => page.items.map((hit) => hit.id);

/** Searches until the answer has `count` hits: the projection is kept asynchronously, within seconds. */
function searchUntil(query: Record<string, string>, count: number): Promise<Page> {
  return eventually(`${count} hit(s) for ${JSON.stringify(query)}`, async () => {
    const reply = await search(query);
    expect(reply.status).toBe(200);
    return reply.body.items.length === count ? reply.body : undefined;
  }, { timeoutMs: 15_000 });
}

describe('GET /products/search', () => {
  it('finds a new product within seconds, whatever the accents and case, the last word also as a prefix, every word required', async () => {
    const word = tag();
    const id = await create({ name: `Café crème ${word}`, description: 'Smooth and mild' });
    expect(ids(await searchUntil({ q: `${word} CAFE creme` }, 1))).toEqual([id]);
    expect(ids((await search({ q: `crème ${word.slice(0, 6)}` })).body)).toEqual([id]);
    expect((await search({ q: `${word} tea` })).body.items).toEqual([]);
    // The prefix is the last word's only: a shortened first word matches nothing.
    expect((await search({ q: `caf ${word}` })).body.items).toEqual([]);
  });

  it('ranks name above description and whole words above prefixes, each hit with its score', async () => {
    const word = tag();
    const inName = await create({ name: `${word} kettle` });
    const asPrefix = await create({ name: `${word} kettles` });
    const inDescription = await create({ name: `${word} pot`, description: 'Not a kettle' });
    const page = await searchUntil({ q: `${word} kettle` }, 3);
    expect(ids(page)).toEqual([inName, asPrefix, inDescription]);
    expect(page.items.map((hit) => hit.score)).toEqual([16, 12, 10]);
  });

  it('filters by category and price range', async () => {
    const [word, category] = [tag(), unique('search-cat')];
    const cheap = await create({ name: `${word} lamp`, category, priceCents: 1000 });
    const dear = await create({ name: `${word} lamp`, category, priceCents: 5000 });
    const elsewhere = await create({ name: `${word} lamp`, priceCents: 3000 });
    await searchUntil({ q: word }, 3);
    expect(ids((await search({ q: word, category })).body).sort()).toEqual([cheap, dear].sort());
    expect(ids((await search({ q: word, minPriceCents: '2000' })).body).sort()).toEqual([dear, elsewhere].sort());
    expect(ids((await search({ q: word, minPriceCents: '1000', maxPriceCents: '3000', category })).body)).toEqual([cheap]);
  });

  it('pages with a signed cursor bound to the query', async () => {
    const word = tag();
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await create({ name: `${word} cup ${i}` }));
    await searchUntil({ q: word }, 5);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const reply = await search({ q: word, limit: '2', ...(cursor ? { cursor } : {}) });
      expect(reply.status).toBe(200);
      seen.push(...ids(reply.body));
      cursor = reply.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...created].sort());

    const { nextCursor } = (await search({ q: word, limit: '2' })).body;
    expectProblem(await search({ q: `${word} cup`, cursor: nextCursor! }), 400);
    expectProblem(await search({ q: word, category: 'search-e2e', cursor: nextCursor! }), 400);
    expectProblem(await search({ q: word, cursor: respellSignature(nextCursor!) }), 400);
    expectProblem(await search({ q: word, cursor: `${nextCursor!.slice(0, -2)}AA` }), 400);
  });

  it('drops an archived product, and shows a changed one as changed', async () => {
    const [word, renamed] = [tag(), tag()];
    const id = await create({ name: `${word} chair` });
    await searchUntil({ q: word }, 1);
    expect((await api.patch(`/products/${id}`, { token: admin, body: { name: `${renamed} chair` } })).status).toBe(200);
    await searchUntil({ q: renamed }, 1);
    await searchUntil({ q: word }, 0);
    expect((await api.delete(`/products/${id}`, { token: admin })).status).toBe(204);
    await searchUntil({ q: renamed }, 0);
  });

  it('searches the demo catalog npm start seeds: accents, ranking, a category', async () => {
    const creme = await search({ q: 'CAFE creme' });
    expect(creme.body.items.map((hit) => hit.name)).toContain('Café crème Mug');
    const coffee = (await search({ q: 'coffee', limit: '100' })).body.items;
    const named = coffee.findIndex((hit) => hit.name === 'Coffee Grinder');
    const described = coffee.findIndex((hit) => hit.name === 'Travel Mug');
    expect(named).toBeGreaterThanOrEqual(0);
    expect(described).toBeGreaterThan(named);
    expect((await search({ q: 'lamp', category: 'home' })).body.items.map((hit) => hit.name)).toEqual(expect.arrayContaining(['Desk Lamp', 'Floor Lamp']));
  });

  it('answers 400 problem+json to a missing, blank or too long q, a bad limit, a reversed price range and a cursor not its own', async () => {
    for (const query of [
      {}, { q: '' }, { q: '   ' }, { q: 'x'.repeat(101) }, { q: '?!' }, { q: 'mug', limit: '0' }, { q: 'mug', limit: '101' },
      { q: 'mug', limit: 'many' }, { q: 'mug', minPriceCents: '500', maxPriceCents: '100' }, { q: 'mug', minPriceCents: '-1' },
      { q: 'mug', cursor: 'not-a-cursor' },
    ]) {
      const reply = await search(query as Record<string, string>);
      expectProblem(reply, 400);
    }
    expect((await search({ q: 'x'.repeat(100) })).status).toBe(200);
  });
});
