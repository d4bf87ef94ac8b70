import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SearchHit } from '../../../functions/contracts/api/catalog';
import { ProductArchived, ProductCreated, ProductUpdated } from '../../../functions/contracts/events/catalog';
import type { EventData } from '../../../functions/contracts/events/envelope';
import { CATALOG_ENV } from '../../../functions/catalog/catalog-config';
import { busEvent } from '../../support/bus-event';
import { createLocalDynamoClient, createTestTable } from '../../support/dynamodb';
import { bearer, useHandlerEnvironment } from '../../support/handler-env';
import { call, lambdaContext } from '../../support/http';

type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;
type Handler = Parameters<typeof call>[0];
let env: Env;
let searchTable: string;
let handlers: { create: Handler; search: Handler; project: (event: ReturnType<typeof busEvent>, context: ReturnType<typeof lambdaContext>) => Promise<void> };

beforeAll(async () => {
  env = await useHandlerEnvironment('catalog-search');
  searchTable = await createTestTable(createLocalDynamoClient(), { prefix: 'search' });
  process.env[CATALOG_ENV.searchTableName] = searchTable;
  handlers = {
    create: (await import('../../../functions/catalog/handlers/create-product')).handler,
    search: (await import('../../../functions/catalog/handlers/search-products')).handler,
    project: (await import('../../../functions/catalog/handlers/project-search')).handler,
  };
});

/** A word no other test uses, so each test searches only its own products. */
const word = () => `w${randomUUID().replace(/-/g, '').slice(0, 12)}`;
const productId = () => `01TEST${randomUUID().replace(/-/g, '').slice(0, 20).toUpperCase()}`;

type Fields = Omit<EventData<typeof ProductUpdated>, 'productId' | 'version'>;
const fields = (name: string, overrides: Partial<Fields> = {}): Fields => ({
  name, description: 'For testing', category: 'test', priceCents: 1000, currency: 'USD', sku: `SKU-${word()}`, ...overrides,
});

const deliver = (event: ReturnType<typeof busEvent>) => handlers.project(event, lambdaContext());
const created = (id: string, data: Fields) => busEvent(ProductCreated, { productId: id, ...data });
const updated = (id: string, version: number, data: Fields) => busEvent(ProductUpdated, { productId: id, version, ...data });
const archived = (id: string, version: number) => busEvent(ProductArchived, { productId: id, version });

async function search(q: string): Promise<SearchHit[]> {
  const response = await call<{ items: SearchHit[] }>(handlers.search, { method: 'GET', path: '/products/search', query: { q } });
  expect(response.status).toBe(200);
  return response.body.items;
}

async function stored(id: string) {
  const { Item } = await env.db.send(new GetCommand({ TableName: searchTable, Key: { pk: `PRODUCT#${id}`, sk: 'SEARCH' } }));
  return Item;
}

describe('the search projection (project-search) and the search route', () => {
  it('makes a created product searchable on a warm index, with its description and score', async () => {
    const [name, id] = [word(), productId()];
    expect(await search(name)).toEqual([]);
    await deliver(created(id, fields(`${name} lamp`, { description: 'Warm light' })));
    expect(await search(`${name} lam`)).toEqual([
      { id, name: `${name} lamp`, description: 'Warm light', category: 'test', priceCents: 1000, currency: 'USD', sku: expect.any(String), status: 'ACTIVE', version: 1, score: 8 + 4 },
    ]);
  });

  it('takes a redelivered event as done', async () => {
    const [name, id] = [word(), productId()];
    const event = created(id, fields(name));
    await deliver(event);
    const first = await stored(id);
    await deliver(event);
    expect(await stored(id)).toEqual(first);
    expect((await search(name)).map((hit) => hit.id)).toEqual([id]);
  });

  it('keeps the newest version whatever order the events arrive in', async () => {
    const [name, id] = [word(), productId()];
    await deliver(updated(id, 3, fields(`${name} third`)));
    await deliver(updated(id, 2, fields(`${name} second`)));
    await deliver(created(id, fields(`${name} first`)));
    expect(await stored(id)).toMatchObject({ version: 3, name: `${name} third` });
    expect((await search(name)).map((hit) => [hit.name, hit.version])).toEqual([[`${name} third`, 3]]);
  });

  it('leaves a tombstone on archive, so a late older update does not bring the product back', async () => {
    const [name, id] = [word(), productId()];
    await deliver(created(id, fields(name)));
    expect(await search(name)).toHaveLength(1);
    await deliver(archived(id, 3));
    await deliver(updated(id, 2, fields(name)));
    expect(await stored(id)).toMatchObject({ id, status: 'ARCHIVED', version: 3 });
    expect(await search(name)).toEqual([]);
  });

  it('reads the description from the catalog table when ProductCreated lacks it (an event from before it carried one)', async () => {
    const [name, described] = [word(), word()];
    const response = await call<{ id: string; sku: string }>(handlers.create, {
      method: 'POST', path: '/products', headers: bearer('01ADMIN0000000000000000000', 'admin'),
      body: { name, description: `A ${described} thing`, category: 'test', priceCents: 500, currency: 'USD', sku: `SKU-${word()}` },
    });
    expect(response.status).toBe(201);
    const { id, sku } = response.body;
    await deliver(busEvent(ProductCreated, { productId: id, name, category: 'test', priceCents: 500, currency: 'USD', sku }));
    expect(await search(described)).toMatchObject([{ id, description: `A ${described} thing`, score: 2 }]);
  });

  it('dead-letters an event it cannot parse (the consumer throws)', async () => {
    const event = created(productId(), fields(word()));
    await expect(deliver({ ...event, detail: { ...(event.detail as object), data: { productId: 'x' } } })).rejects.toThrow();
  });
});
