import { beforeAll, describe, expect, it } from 'vitest';
import { respellSignature } from '../support/respell';
import { adminToken, api, expectProblem, registerAndLogin, unique } from './support/api';

let admin: string;
let customer: string;

beforeAll(async () => {
  admin = await adminToken();
  customer = (await registerAndLogin()).token;
});

const newProduct = (overrides: Record<string, unknown> = {}) => ({
  name: 'E2E Mug', description: 'Holds coffee', category: unique('cat'), priceCents: 1299, currency: 'USD', sku: unique('SKU'), ...overrides,
});

describe('catalog', () => {
  it('lists the demo catalog publicly', async () => {
    const page = await api.get<{ items: unknown[]; nextCursor: string | null }>('/products');
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeGreaterThan(0);
  });

  it('creates, reads, updates and archives a product as admin', async () => {
    const input = newProduct();
    const created = await api.post('/products', { token: admin, body: input });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...input, status: 'ACTIVE', version: 1 });
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`/products/${id}`);

    expect((await api.get(`/products/${id}`)).body).toMatchObject({ id, sku: input.sku });
    const updated = await api.patch(`/products/${id}`, { token: admin, body: { priceCents: 1499 } });
    expect(updated.body).toMatchObject({ priceCents: 1499, version: 2, name: input.name });

    const category = await api.get<{ items: { id: string }[] }>(`/products?category=${input.category}`);
    expect(category.body.items.map((p) => p.id)).toEqual([id]);

    const archived = await api.delete(`/products/${id}`, { token: admin });
    expect(archived.status).toBe(204);
    expect(archived.text).toBe('');
    expectProblem(await api.get(`/products/${id}`), 404);
    expect((await api.get<{ items: unknown[] }>(`/products?category=${input.category}`)).body.items).toEqual([]);
    expectProblem(await api.delete(`/products/${id}`, { token: admin }), 404);
    expectProblem(await api.patch(`/products/${id}`, { token: admin, body: { name: 'x' } }), 404);
  });

  it('pages with opaque cursors and rejects forged ones', async () => {
    const category = unique('paged');
    for (let i = 0; i < 5; i++) {
      expect((await api.post('/products', { token: admin, body: newProduct({ category, name: `P${i}` }) })).status).toBe(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } =
        await api.get(`/products?category=${category}&limit=2${query}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((p) => p.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect([...seen].sort().reverse()).toEqual(seen);

    const first = await api.get<{ nextCursor: string }>(`/products?category=${category}&limit=2`);
    expectProblem(await api.get(`/products?category=${category}&cursor=${first.body.nextCursor}x`), 400);
    // The same signature bytes, spelled differently: not the cursor we issued.
    expectProblem(await api.get(`/products?category=${category}&cursor=${respellSignature(first.body.nextCursor)}`), 400);
    expectProblem(await api.get(`/products?category=${unique('other')}&cursor=${first.body.nextCursor}`), 400);
    expectProblem(await api.get('/products?cursor=bm90LWEtY3Vyc29y'), 400);
    expectProblem(await api.get('/products?limit=0'), 400);
    expectProblem(await api.get('/products?limit=101'), 400);
  });

  it('guards admin routes: 401 anonymous, 403 customer', async () => {
    expectProblem(await api.post('/products', { body: newProduct() }), 401);
    expectProblem(await api.post('/products', { token: customer, body: newProduct() }), 403);
    const { body } = await api.post('/products', { token: admin, body: newProduct() });
    expectProblem(await api.patch(`/products/${body.id}`, { token: customer, body: { name: 'x' } }), 403);
    expectProblem(await api.delete(`/products/${body.id}`, { token: customer }), 403);
    expectProblem(await api.delete(`/products/${body.id}`), 401);
  });

  it('answers 409 for a duplicate sku and 400 for invalid products', async () => {
    const input = newProduct();
    expect((await api.post('/products', { token: admin, body: input })).status).toBe(201);
    expectProblem(await api.post('/products', { token: admin, body: { ...input, name: 'Other' } }), 409);
    expectProblem(await api.post('/products', { token: admin, body: newProduct({ priceCents: 0 }) }), 400);
    expectProblem(await api.post('/products', { token: admin, body: newProduct({ priceCents: 9.99 }) }), 400);
    expectProblem(await api.post('/products', { token: admin, body: { name: 'only a name' } }), 400);
  });

  it('answers 404 for an unknown product', async () => {
    expectProblem(await api.get('/products/01UNKNOWN000000000000000000'), 404);
    expectProblem(await api.patch('/products/01UNKNOWN000000000000000000', { token: admin, body: { name: 'x' } }), 404);
  });
});
