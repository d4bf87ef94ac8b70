import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Product } from '../../../functions/contracts/api/catalog';
import { ProductArchived, ProductCreated, ProductUpdated } from '../../../functions/contracts/events/catalog';
import { encodeCursor } from '../../../functions/shared/cursor';
import { bearer, useHandlerEnvironment } from '../../support/handler-env';
import { call, type ApiResponse } from '../../support/http';
import { errorPaths, problem } from '../../support/problem';
import { respellSignature } from '../../support/respell';
import { transactionConflicts } from '../../support/transaction-conflicts';

type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;
let env: Env;
type Handler = Parameters<typeof call>[0];
let handlers: Record<'create' | 'get' | 'update' | 'archive' | 'list', Handler>;

beforeAll(async () => {
  env = await useHandlerEnvironment('catalog');
  handlers = {
    create: (await import('../../../functions/catalog/handlers/create-product')).handler,
    get: (await import('../../../functions/catalog/handlers/get-product')).handler,
    update: (await import('../../../functions/catalog/handlers/update-product')).handler,
    archive: (await import('../../../functions/catalog/handlers/archive-product')).handler,
    list: (await import('../../../functions/catalog/handlers/list-products')).handler,
  };
});

const admin = bearer('01ADMIN0000000000000000000', 'admin');
const customer = bearer('01CUSTOMER0000000000000000', 'customer');

let counter = 0;
/** Tests share one table: every sku and category gets its own suffix. */
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${counter++}-${randomUUID().slice(0, 8)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Page {
  items: Product[];
  nextCursor: string | null;
}

function productInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Espresso Cup',
    category: unique('kitchen'),
    priceCents: 1299,
    currency: 'USD',
    sku: unique('SKU'),
    ...overrides,
  };
}

const itemPath = (productId: string) => ({
  resource: '/products/{productId}',
  path: `/products/${productId}`,
  pathParameters: { productId },
});

const createProduct = (body: unknown, headers: Record<string, string> = admin) =>
  call<Product>(handlers.create, { method: 'POST', path: '/products', body, headers });
const getProduct = (productId: string, headers: Record<string, string> = {}) =>
  call<Product>(handlers.get, { method: 'GET', ...itemPath(productId), headers });
const patchProduct = (productId: string, body: unknown, headers: Record<string, string> = admin) =>
  call<Product>(handlers.update, { method: 'PATCH', ...itemPath(productId), body, headers });
const deleteProduct = (productId: string, headers: Record<string, string> = admin) =>
  call(handlers.archive, { method: 'DELETE', ...itemPath(productId), headers });
const listProducts = (query?: Record<string, string>, headers: Record<string, string> = {}) =>
  call<Page>(handlers.list, { method: 'GET', path: '/products', query, headers });


/** A product created by the admin, asserting the 201 so later steps start from a known state. */
async function created(overrides: Record<string, unknown> = {}): Promise<Product> {
  const response = await createProduct(productInput(overrides));
  expect(response.status).toBe(201);
  return response.body;
}

/** Every page of a listing, following nextCursor until it is null. */
async function allPages(query: Record<string, string> = {}): Promise<Page[]> {
  const pages: Page[] = [];
  let cursor: string | null | undefined;
  do {
    const response = await listProducts(cursor ? { ...query, cursor } : query);
    expect(response.status).toBe(200);
    pages.push(response.body);
    cursor = response.body.nextCursor;
    expect(pages.length).toBeLessThan(1000);
  } while (cursor);
  return pages;
}

const listedIds = async (query: Record<string, string> = {}) =>
  (await allPages({ limit: '100', ...query })).flatMap((page) => page.items.map((p) => p.id));

async function scanTable(): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const { Items = [], LastEvaluatedKey } = await env.db.send(
      new ScanCommand({ TableName: env.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }),
    );
    items.push(...Items);
    startKey = LastEvaluatedKey;
  } while (startKey);
  return items;
}

interface OutboxEvent {
  detailType: string;
  detail: { metadata: { correlationId: string }; data: Record<string, unknown> };
  raw: unknown;
}

async function outboxEvents(match: (data: Record<string, unknown>) => boolean): Promise<OutboxEvent[]> {
  return (await scanTable())
    .filter((item) => item.kind === 'outbox')
    .map((item) => {
      const raw = JSON.parse(item.detail as string) as OutboxEvent['detail'];
      return { detailType: item.detailType as string, detail: raw, raw };
    })
    .filter((event) => match(event.detail.data));
}

const eventsOfProduct = (productId: string, detailType: string) =>
  outboxEvents((data) => data.productId === productId).then((events) => events.filter((e) => e.detailType === detailType));

describe('POST /products', () => {
  it('answers 201 with the full product, description defaulting to empty, and its Location', async () => {
    const input = productInput();
    const response = await createProduct(input);
    expect(response.status).toBe(201);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.body).toEqual({
      id: expect.any(String),
      name: input.name,
      description: '',
      category: input.category,
      priceCents: 1299,
      currency: 'USD',
      sku: input.sku,
      status: 'ACTIVE',
      version: 1,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const product = response.body;
    expect(product.id).not.toBe('');
    expect(new Date(product.createdAt).toISOString()).toBe(product.createdAt);
    expect(product.updatedAt).toBe(product.createdAt);
    expect(response.headers.Location).toBe(`/products/${product.id}`);
    expect((await getProduct(product.id)).body).toEqual(product);
  });

  it('keeps a given description', async () => {
    const response = await createProduct(productInput({ description: 'Holds 60 ml' }));
    expect(response.status).toBe(201);
    expect(response.body.description).toBe('Holds 60 ml');
  });

  it('answers 401 without a token or with a malformed one', async () => {
    for (const headers of [{}, { Authorization: 'Bearer not.a.jwt' }] as Record<string, string>[]) {
      const response = await createProduct(productInput(), headers);
      expect(response.status).toBe(401);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
    }
  });

  it('answers 403 for a customer and writes nothing', async () => {
    const input = productInput();
    const response = await createProduct(input, customer);
    expect(response.status).toBe(403);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    // Authorization comes before validation: a customer learns nothing about the schema.
    expect((await createProduct({ bogus: true }, customer)).status).toBe(403);

    const items = await scanTable();
    expect(items.filter((item) => item.sku === input.sku || item.pk === `SKU#${input.sku}`)).toEqual([]);
    expect(await outboxEvents((data) => data.sku === input.sku)).toEqual([]);
    // The SKU was not claimed either.
    expect((await createProduct(input)).status).toBe(201);
  });

  it('answers 400 naming every failing field at once', async () => {
    const response = await createProduct({ description: 'no name', priceCents: 0, currency: 'EUR', color: 'red' });
    expect(response.status).toBe(400);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(problem(response)).toMatchObject({ status: 400, type: expect.stringContaining('validation-error') });
    expect(errorPaths(response)).toEqual(['body', 'body.category', 'body.currency', 'body.name', 'body.priceCents', 'body.sku']);
    const unknownField = problem(response).errors!.find((e) => e.path === 'body');
    expect(unknownField!.message).toContain('color');
  });

  it.each([
    ['zero priceCents', { priceCents: 0 }, 'body.priceCents'],
    ['negative priceCents', { priceCents: -100 }, 'body.priceCents'],
    ['fractional priceCents', { priceCents: 9.99 }, 'body.priceCents'],
    ['priceCents as a string', { priceCents: '1299' }, 'body.priceCents'],
    ['another currency', { currency: 'EUR' }, 'body.currency'],
    ['a lower-case currency', { currency: 'usd' }, 'body.currency'],
    ['a missing name', { name: undefined }, 'body.name'],
    ['a blank name', { name: '   ' }, 'body.name'],
    ['a missing category', { category: undefined }, 'body.category'],
    ['a name with a line break', { name: 'Mug\r\nX-Injected: 1' }, 'body.name'],
    ['a name with an ANSI escape', { name: 'Mug\u001b[2J' }, 'body.name'],
    ['a category with a NUL', { category: 'kitchen\u0000' }, 'body.category'],
    ['a name with a lone surrogate', { name: 'Mug \ud83d' }, 'body.name'],
    ['a missing sku', { sku: undefined }, 'body.sku'],
    ['an unknown field', { status: 'ARCHIVED' }, 'body'],
  ])('answers 400 for %s, and writes nothing', async (_label, overrides, path) => {
    const input = productInput(overrides);
    const response = await createProduct(input);
    expect(response.status).toBe(400);
    expect(errorPaths(response)).toEqual([path]);
    if (typeof input.sku === 'string') {
      expect(await outboxEvents((data) => data.sku === input.sku)).toEqual([]);
    }
  });

  it('answers 409 for a SKU already taken, and records only the first ProductCreated', async () => {
    const input = productInput();
    const first = await createProduct(input);
    expect(first.status).toBe(201);
    const second = await createProduct({ ...input, name: 'Another Cup', category: unique('other') });
    expect(second.status).toBe(409);
    expect(second.headers['Content-Type']).toBe('application/problem+json');
    expect(problem(second)).toMatchObject({ status: 409, type: expect.stringContaining('sku-taken') });

    const events = await outboxEvents((data) => data.sku === input.sku);
    expect(events).toHaveLength(1);
    expect(events[0]!.detail.data.productId).toBe(first.body.id);
    const products = (await scanTable()).filter((item) => item.kind === 'product' && item.sku === input.sku);
    expect(products.map((p) => p.id)).toEqual([first.body.id]);
  });

  it('records ProductCreated in the outbox, valid against its contract, with the request correlation id', async () => {
    // The description too, since the search projection indexes it.
    const input = productInput({ description: 'Searchable words' });
    const response = await call<Product>(handlers.create, {
      method: 'POST', path: '/products', body: input, headers: { ...admin, 'X-Correlation-Id': 'create-trace-1' },
    });
    expect(response.status).toBe(201);
    const events = await eventsOfProduct(response.body.id, ProductCreated.detailType);
    expect(events).toHaveLength(1);
    const detail = ProductCreated.detail.parse(events[0]!.raw);
    expect(detail.data).toEqual({
      productId: response.body.id,
      name: input.name,
      description: 'Searchable words',
      category: input.category,
      priceCents: input.priceCents,
      currency: 'USD',
      sku: input.sku,
    });
    expect(detail.metadata.correlationId).toBe('create-trace-1');
  });
});

describe('GET /products/{productId}', () => {
  it('answers 200 with the product, to anyone, without a token', async () => {
    const product = await created({ description: 'Porcelain' });
    const anonymous = await getProduct(product.id);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers['Content-Type']).toBe('application/json');
    expect(anonymous.body).toEqual(product);
    expect((await getProduct(product.id, customer)).body).toEqual(product);
  });

  it('answers 404 for an unknown id', async () => {
    const response = await getProduct('01NOSUCHPRODUCT00000000000');
    expect(response.status).toBe(404);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(problem(response).status).toBe(404);
  });

  it('answers 404 for an archived product, the same as for an unknown one', async () => {
    const product = await created();
    expect((await deleteProduct(product.id)).status).toBe(204);
    const archived = await getProduct(product.id);
    const unknown = await getProduct('01NOSUCHPRODUCT00000000000');
    expect(archived.status).toBe(404);
    expect((archived.body as { detail?: string }).detail).toBe((unknown.body as { detail?: string }).detail);
  });
});

describe('PATCH /products/{productId}', () => {
  it('changes the given fields, keeps the others, bumps the version and updatedAt', async () => {
    const product = await created({ description: 'Original' });
    await sleep(5);
    const response = await patchProduct(product.id, { name: 'Lungo Cup', priceCents: 1499 });
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.body).toEqual({
      ...product,
      name: 'Lungo Cup',
      priceCents: 1499,
      version: 2,
      updatedAt: expect.any(String),
    });
    expect(response.body.updatedAt).not.toBe(product.updatedAt);
    expect(response.body.updatedAt > product.updatedAt).toBe(true);
    expect(response.body.createdAt).toBe(product.createdAt);
    expect((await getProduct(product.id)).body).toEqual(response.body);

    const again = await patchProduct(product.id, { description: '' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ name: 'Lungo Cup', priceCents: 1499, description: '', version: 3 });
  });

  it('moves the product from its old category listing to the new one', async () => {
    const from = unique('from');
    const to = unique('to');
    const product = await created({ category: from });
    expect(await listedIds({ category: from })).toEqual([product.id]);

    const response = await patchProduct(product.id, { category: to });
    expect(response.status).toBe(200);
    expect(response.body.category).toBe(to);
    expect(await listedIds({ category: from })).toEqual([]);
    expect(await listedIds({ category: to })).toEqual([product.id]);
    expect((await listedIds()).filter((id) => id === product.id)).toHaveLength(1);
  });

  it.each([
    ['an empty body', {}, 'body', undefined],
    ['a sku', { sku: 'NEW-SKU' }, 'body', 'sku'],
    ['a currency', { currency: 'USD' }, 'body', 'currency'],
    ['a status', { status: 'ARCHIVED' }, 'body', 'status'],
    ['a version', { name: 'X', version: 7 }, 'body', 'version'],
    ['zero priceCents', { priceCents: 0 }, 'body.priceCents', undefined],
    ['negative priceCents', { priceCents: -1 }, 'body.priceCents', undefined],
    ['fractional priceCents', { priceCents: 9.99 }, 'body.priceCents', undefined],
    ['a blank name', { name: '' }, 'body.name', undefined],
    ['a name with a control character', { name: 'Mug\u0007' }, 'body.name', undefined],
  ])('answers 400 for %s and changes nothing', async (_label, body, path, named) => {
    const product = await created();
    const response = await patchProduct(product.id, body);
    expect(response.status).toBe(400);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(errorPaths(response)).toContain(path);
    if (named) expect(problem(response).errors!.some((e) => e.path === path && e.message.includes(named))).toBe(true);
    expect((await getProduct(product.id)).body).toEqual(product);
    expect(await eventsOfProduct(product.id, ProductUpdated.detailType)).toEqual([]);
  });

  it('answers 400 for a request without a body', async () => {
    const product = await created();
    const response = await patchProduct(product.id, undefined);
    expect(response.status).toBe(400);
    expect(errorPaths(response)).toEqual(['body']);
  });

  it('answers 404 for an unknown product, and creates nothing', async () => {
    const productId = '01NOSUCHPRODUCT00000000001';
    const response = await patchProduct(productId, { name: 'Ghost' });
    expect(response.status).toBe(404);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect((await scanTable()).filter((item) => item.pk === `PRODUCT#${productId}`)).toEqual([]);
  });

  it('answers 404 for an archived product, and leaves it archived', async () => {
    const product = await created();
    expect((await deleteProduct(product.id)).status).toBe(204);
    const response = await patchProduct(product.id, { name: 'Revived' });
    expect(response.status).toBe(404);
    expect(await listedIds({ category: product.category })).toEqual([]);
    const [stored] = (await scanTable()).filter((item) => item.pk === `PRODUCT#${product.id}`);
    expect(stored).toMatchObject({ status: 'ARCHIVED', version: 2, name: product.name });
  });

  it('answers 401 without a token and 403 for a customer, changing nothing', async () => {
    const product = await created();
    const anonymous = await patchProduct(product.id, { name: 'Hijacked' }, {});
    expect(anonymous.status).toBe(401);
    const byCustomer = await patchProduct(product.id, { name: 'Hijacked' }, customer);
    expect(byCustomer.status).toBe(403);
    expect(byCustomer.headers['Content-Type']).toBe('application/problem+json');
    expect((await getProduct(product.id)).body).toEqual(product);
  });

  it('records ProductUpdated in the outbox with the product after the change and its version', async () => {
    const product = await created({ description: 'Before' });
    const response = await call<Product>(handlers.update, {
      method: 'PATCH', ...itemPath(product.id), body: { priceCents: 1599, description: 'After' },
      headers: { ...admin, 'X-Correlation-Id': 'update-trace-1' },
    });
    expect(response.status).toBe(200);
    const events = await eventsOfProduct(product.id, ProductUpdated.detailType);
    expect(events).toHaveLength(1);
    const detail = ProductUpdated.detail.parse(events[0]!.raw);
    expect(detail.data).toEqual({
      productId: product.id,
      name: product.name,
      description: 'After',
      category: product.category,
      priceCents: 1599,
      currency: 'USD',
      sku: product.sku,
      version: 2,
    });
    expect(detail.metadata.correlationId).toBe('update-trace-1');
  });
});

describe('DELETE /products/{productId}', () => {
  it('answers 204 with an empty body', async () => {
    const product = await created();
    const response = await deleteProduct(product.id);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(response.headers['Content-Type']).toBeUndefined();
  });

  it('archives the product: gone from GET, both listings, PATCH and a second DELETE', async () => {
    const product = await created();
    const sibling = await created({ category: product.category });
    expect(await listedIds({ category: product.category })).toEqual([sibling.id, product.id]);

    expect((await deleteProduct(product.id)).status).toBe(204);
    expect((await getProduct(product.id)).status).toBe(404);
    expect(await listedIds({ category: product.category })).toEqual([sibling.id]);
    const all = await listedIds();
    expect(all).not.toContain(product.id);
    expect(all).toContain(sibling.id);
    expect((await patchProduct(product.id, { name: 'Back' })).status).toBe(404);
    const again = await deleteProduct(product.id);
    expect(again.status).toBe(404);
    expect(again.headers['Content-Type']).toBe('application/problem+json');
    expect((await getProduct(sibling.id)).status).toBe(200);
  });

  it('answers 404 for an unknown product', async () => {
    expect((await deleteProduct('01NOSUCHPRODUCT00000000002')).status).toBe(404);
  });

  it('records exactly one ProductArchived in the outbox, valid against its contract', async () => {
    const product = await created();
    expect((await deleteProduct(product.id)).status).toBe(204);
    expect((await deleteProduct(product.id)).status).toBe(404);
    const events = await eventsOfProduct(product.id, ProductArchived.detailType);
    expect(events).toHaveLength(1);
    const detail = ProductArchived.detail.parse(events[0]!.raw);
    expect(detail.data).toEqual({ productId: product.id, version: 2 });
  });

  it('answers 401 without a token and 403 for a customer, leaving the product active', async () => {
    const product = await created();
    expect((await deleteProduct(product.id, {})).status).toBe(401);
    expect((await deleteProduct(product.id, customer)).status).toBe(403);
    expect((await getProduct(product.id)).body).toEqual(product);
    expect(await listedIds({ category: product.category })).toEqual([product.id]);
    expect(await eventsOfProduct(product.id, ProductArchived.detailType)).toEqual([]);
  });
});

describe('GET /products', () => {
  it('lists only active products, newest first', async () => {
    const category = unique('listing');
    const first = await created({ category, name: 'First' });
    const second = await created({ category, name: 'Second' });
    const third = await created({ category, name: 'Third' });
    expect((await deleteProduct(second.id)).status).toBe(204);

    const response = await listProducts({ category });
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.body).toEqual({ items: [third, first], nextCursor: null });
    expect(response.body.items.every((p) => p.status === 'ACTIVE')).toBe(true);
  });

  it('lists every active product of the table, and no archived one, without a category', async () => {
    await created();
    const archived = await created();
    expect((await deleteProduct(archived.id)).status).toBe(204);

    const listed = await listedIds();
    const active = (await scanTable())
      .filter((item) => item.kind === 'product' && item.status === 'ACTIVE')
      .map((item) => item.id as string)
      .sort()
      .reverse();
    expect(listed).toEqual(active);
    expect(listed).not.toContain(archived.id);
  });

  it('answers pages of 20 by default', async () => {
    const category = unique('default-limit');
    const products: Product[] = [];
    for (let i = 0; i < 21; i += 1) products.push(await created({ category, name: `Item ${i}` }));
    const newestFirst = products.map((p) => p.id).reverse();

    const first = await listProducts({ category });
    expect(first.status).toBe(200);
    expect(first.body.items.map((p) => p.id)).toEqual(newestFirst.slice(0, 20));
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const rest = await listProducts({ category, cursor: first.body.nextCursor! });
    expect(rest.body).toEqual({ items: [products[0]], nextCursor: null });

    const all = await listProducts();
    expect(all.body.items).toHaveLength(20);
    expect(all.body.nextCursor).toEqual(expect.any(String));
  });

  it('pages through a listing with ?limit=2 without duplicates or gaps, skipping archived products', async () => {
    const category = unique('paging');
    const products: Product[] = [];
    for (let i = 0; i < 6; i += 1) products.push(await created({ category, name: `Item ${i}` }));
    expect((await deleteProduct(products[3]!.id)).status).toBe(204);
    const expected = products.filter((_, i) => i !== 3).map((p) => p.id).reverse();

    const pages = await allPages({ category, limit: '2' });
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
    expect(pages.at(-1)!.nextCursor).toBeNull();
    expect(pages.flatMap((page) => page.items.map((p) => p.id))).toEqual(expected);
  });

  it('ends a listing that fills its last page exactly with nextCursor null, not an empty page', async () => {
    const category = unique('exact');
    for (let i = 0; i < 4; i += 1) await created({ category });
    const pages = await allPages({ category, limit: '2' });
    expect(pages.map((page) => page.items.length)).toEqual([2, 2]);
  });

  it('pages through the unfiltered listing without duplicates or gaps', async () => {
    for (let i = 0; i < 3; i += 1) await created();
    const pages = await allPages({ limit: '2' });
    const paged = pages.flatMap((page) => page.items.map((p) => p.id));
    expect(new Set(paged).size).toBe(paged.length);
    expect(paged).toEqual(await listedIds());
    expect(pages.slice(0, -1).every((page) => page.items.length === 2 && page.nextCursor !== null)).toBe(true);
  });

  it('filters by ?category=', async () => {
    const category = unique('mugs');
    const other = unique('plates');
    const mugs = [await created({ category }), await created({ category })];
    const plate = await created({ category: other });

    const response = await listProducts({ category });
    expect(response.status).toBe(200);
    expect(response.body.items.map((p) => p.id)).toEqual([mugs[1]!.id, mugs[0]!.id]);
    expect(response.body.items.every((p) => p.category === category)).toBe(true);
    expect((await listProducts({ category: other })).body.items.map((p) => p.id)).toEqual([plate.id]);
    expect((await listProducts({ category: unique('empty') })).body).toEqual({ items: [], nextCursor: null });
  });

  it.each(['0', '101', 'abc', '-1', '2.5'])('answers 400 on query.limit for ?limit=%s', async (limit) => {
    const response = await listProducts({ limit });
    expect(response.status).toBe(400);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(errorPaths(response)).toEqual(['query.limit']);
  });

  it('accepts ?limit=1 and ?limit=100', async () => {
    await created();
    expect((await listProducts({ limit: '1' })).body.items).toHaveLength(1);
    expect((await listProducts({ limit: '100' })).status).toBe(200);
  });

  describe('answers 400 on query.cursor, never 500, for a cursor it did not issue for the listing', () => {
    let category: string;
    let otherCategory: string;
    let cursor: string;
    let allCursor: string;

    beforeAll(async () => {
      category = unique('cursors');
      otherCategory = unique('cursors-other');
      for (let i = 0; i < 3; i += 1) await created({ category });
      for (let i = 0; i < 3; i += 1) await created({ category: otherCategory });
      const page = await listProducts({ category, limit: '1' });
      cursor = page.body.nextCursor!;
      allCursor = (await listProducts({ limit: '1' })).body.nextCursor!;
      expect(cursor).toEqual(expect.any(String));
      expect(allCursor).toEqual(expect.any(String));
      // The genuine cursor works, so every 400 below is the cursor's fault.
      expect((await listProducts({ category, limit: '1', cursor })).status).toBe(200);
      expect((await listProducts({ limit: '1', cursor: allCursor })).status).toBe(200);
    });

    const expectInvalidCursor = async (query: Record<string, string>) => {
      const response = await listProducts(query);
      expect(response.status, JSON.stringify(query)).toBe(400);
      expect(response.headers['Content-Type']).toBe('application/problem+json');
      expect(problem(response).errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    };

    it('forged: random text, or a well-formed cursor signed with another key', async () => {
      await expectInvalidCursor({ category, cursor: 'not-a-cursor' });
      await expectInvalidCursor({ category, cursor: 'a.b' });
      await expectInvalidCursor({ category, cursor: '.' });
      await expectInvalidCursor({ category, cursor: `${cursor}.extra` });
      // The same signature bytes, spelled differently: not the cursor we issued.
      await expectInvalidCursor({ category, cursor: respellSignature(cursor) });
      const lastId = (await listProducts({ category })).body.items[0]!.id;
      const forged = encodeCursor({ beforeId: lastId }, `products:category:${category}`, Buffer.alloc(32, 7));
      await expectInvalidCursor({ category, cursor: forged });
    });

    it('edited: the position changed under the original signature', async () => {
      const [payload, signature] = cursor.split('.') as [string, string];
      const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: string; p: { beforeId: string } };
      const edited = Buffer.from(JSON.stringify({ ...decoded, p: { beforeId: 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ' } })).toString('base64url');
      await expectInvalidCursor({ category, cursor: `${edited}.${signature}` });
      const rescoped = Buffer.from(JSON.stringify({ ...decoded, s: 'products:all' })).toString('base64url');
      await expectInvalidCursor({ cursor: `${rescoped}.${signature}` });
      const flipped = `${payload.slice(0, -1)}${payload.endsWith('A') ? 'B' : 'A'}.${signature}`;
      await expectInvalidCursor({ category, cursor: flipped });
    });

    it('truncated: cut in the signature, at the dot, or in the payload', async () => {
      await expectInvalidCursor({ category, cursor: cursor.slice(0, -4) });
      await expectInvalidCursor({ category, cursor: cursor.slice(0, cursor.indexOf('.') + 1) });
      await expectInvalidCursor({ category, cursor: cursor.slice(0, cursor.indexOf('.')) });
      await expectInvalidCursor({ category, cursor: cursor.slice(5) });
    });

    it('from another listing: another category, the unfiltered listing, or the reverse', async () => {
      await expectInvalidCursor({ category: otherCategory, cursor });
      await expectInvalidCursor({ cursor });
      await expectInvalidCursor({ category, cursor: allCursor });
    });

    it('too long for the schema', async () => {
      await expectInvalidCursor({ category, cursor: 'x'.repeat(2049) });
    });
  });

  it('is public: no token needed', async () => {
    const product = await created();
    const response = await listProducts({ category: product.category }, {});
    expect(response.status).toBe(200);
    expect(response.body.items).toEqual([product]);
    expect((await listProducts({ category: product.category }, customer)).body.items).toEqual([product]);
  });
});

describe('POST /products when DynamoDB cancels the write for a concurrent transaction (TransactionConflict)', () => {
  let conflicts: ReturnType<typeof transactionConflicts>;
  beforeAll(() => {
    conflicts = transactionConflicts();
  });
  afterEach(() => conflicts.stop());

  const itemsOfSku = async (sku: string) => (await scanTable()).filter((item) => item.sku === sku || item.pk === `SKU#${sku}`);

  it('retries: two conflicts, then the write goes through → 201, one product, one event', async () => {
    const input = productInput();
    conflicts.failNext(2);
    const response = await createProduct(input);
    expect(conflicts.injected()).toBe(2);
    expect(response.status).toBe(201);
    expect((await getProduct(response.body.id)).status).toBe(200);
    expect(await itemsOfSku(input.sku as string)).toHaveLength(2);
    expect(await outboxEvents((data) => data.sku === input.sku)).toHaveLength(1);
  });

  it('gives up after a few conflicts → 409 problem+json, and nothing is half-written', async () => {
    const input = productInput();
    conflicts.failAll();
    const response = await createProduct(input);
    expect(conflicts.injected()).toBeGreaterThan(1);
    expect(response.status).toBe(409);
    expect(response.headers['Content-Type']).toBe('application/problem+json');
    expect(problem(response).type).toContain('concurrent-update');
    // The retry below succeeds: the answer says to try again in a second.
    expect(response.headers['Retry-After']).toBe('1');
    conflicts.stop();
    expect(await itemsOfSku(input.sku as string)).toEqual([]);
    expect(await outboxEvents((data) => data.sku === input.sku)).toEqual([]);
    // The SKU was never claimed: the client's retry creates the product.
    expect((await createProduct(input)).status).toBe(201);
  });

  it('a PATCH that keeps conflicting answers 409 and changes nothing', async () => {
    const product = await created();
    conflicts.failAll();
    const response = await patchProduct(product.id, { name: 'Never' });
    conflicts.stop();
    expect(response.status).toBe(409);
    expect(problem(response).type).toContain('concurrent-update');
    expect((await getProduct(product.id)).body).toEqual(product);
  });
});

describe('concurrent changes', () => {
  /** Optimistic versioning: every PATCH that answered 200 is one version, none is lost. */
  async function expectNoLostUpdate(product: Product, responses: ApiResponse<Product>[]) {
    for (const response of responses) expect([200, 409], JSON.stringify(response.body)).toContain(response.status);
    const successes = responses.filter((r) => r.status === 200);
    expect(successes.length).toBeGreaterThan(0);
    for (const conflict of responses.filter((r) => r.status === 409)) {
      expect(problem(conflict).type).toContain('concurrent-update');
    }

    const final = (await getProduct(product.id)).body;
    expect(final.version).toBe(1 + successes.length);
    const versions = successes.map((r) => r.body.version).sort((a, b) => a - b);
    expect(versions).toEqual(successes.map((_, i) => i + 2));
    const latest = successes.find((r) => r.body.version === final.version)!;
    expect(final).toEqual(latest.body);

    const events = await eventsOfProduct(product.id, ProductUpdated.detailType);
    expect(events.map((e) => e.detail.data.version as number).sort((a, b) => a - b)).toEqual(versions);
  }

  it('two parallel PATCHes of one product both succeed or one answers 409; the version counts every success', async () => {
    for (let round = 0; round < 5; round += 1) {
      const product = await created();
      const responses = await Promise.all([
        patchProduct(product.id, { name: 'Left' }),
        patchProduct(product.id, { priceCents: 4242 }),
      ]);
      await expectNoLostUpdate(product, responses);
      const final = (await getProduct(product.id)).body;
      // Each change was applied to the version before it: a success is never overwritten.
      if (responses.every((r) => r.status === 200)) expect(final).toMatchObject({ name: 'Left', priceCents: 4242 });
    }
  });

  it('a burst of parallel PATCHes never loses an update and never fails with 500', async () => {
    const product = await created();
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) => patchProduct(product.id, { name: `Writer ${i}` })),
    );
    await expectNoLostUpdate(product, responses);
  });
});
