import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Product, SearchProductsQuery } from '../../../functions/contracts/api/catalog';
import { ProductArchived, ProductCreated, ProductUpdated } from '../../../functions/contracts/events/catalog';
import { CATALOG_ENV } from '../../../functions/catalog/catalog-config';
import { dynamoSearchProjection, projectionPut } from '../../../functions/catalog/adapters/dynamo-search-projection';
import { LiveSearchIndex, searchProducts } from '../../../functions/catalog/domain/search';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/dynamodb/local-dynamodb';
import type { Reporter } from '../../../ops/report';
import { rebuildSearch } from '../../../ops/search';
import type { Target } from '../../../ops/target';
import { busEvent } from '../../support/bus-event';
import { createLocalDynamoClient, createTestTable, dynamoEndpoint } from '../../support/dynamodb';
import { bearer, testKeys, useHandlerEnvironment } from '../../support/handler-env';
import { call, lambdaContext } from '../../support/http';

type Env = Awaited<ReturnType<typeof useHandlerEnvironment>>;
type Handler = Parameters<typeof call>[0];
let env: Env;
let searchTable: string;
let target: Target;
let handlers: Record<'create' | 'update' | 'archive', Handler> & { project: (event: ReturnType<typeof busEvent>, context: ReturnType<typeof lambdaContext>) => Promise<void> };

beforeAll(async () => {
  env = await useHandlerEnvironment('catalog-rebuild');
  searchTable = await createTestTable(createLocalDynamoClient(), { prefix: 'search-rebuild' });
  process.env[CATALOG_ENV.searchTableName] = searchTable;
  handlers = {
    create: (await import('../../../functions/catalog/handlers/create-product')).handler,
    update: (await import('../../../functions/catalog/handlers/update-product')).handler,
    archive: (await import('../../../functions/catalog/handlers/archive-product')).handler,
    project: (await import('../../../functions/catalog/handlers/project-search')).handler,
  };
  target = {
    description: 'test tables',
    resources: { deadLetterQueues: [], catalogTableName: env.tableName, searchTableName: searchTable },
    clientConfig: () => ({ region: LOCAL_REGION, endpoint: dynamoEndpoint(), credentials: { ...LOCAL_CREDENTIALS } }),
  };
});

const admin = bearer('01ADMIN0000000000000000000', 'admin');
const word = `w${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const deliver = (event: ReturnType<typeof busEvent>) => handlers.project(event, lambdaContext());

function recorder(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, out: (line) => lines.push(line), progress: () => undefined, error: (line) => lines.push(line) };
}

/** The answers of a fresh execution environment (an index loaded from the projection as it is now). */
async function answers(): Promise<unknown[]> {
  const live = new LiveSearchIndex(dynamoSearchProjection(searchTable));
  const queries: Partial<SearchProductsQuery>[] = [{ q: word }, { q: `${word} lam` }, { q: `${word} cafe`, maxPriceCents: 2000 }, { q: 'crème' }];
  return Promise.all(queries.map((query) => searchProducts(live, { limit: 20, ...query } as SearchProductsQuery, testKeys.cursor)));
}

async function wipeProjection(): Promise<number> {
  const { Items = [] } = await env.db.send(new ScanCommand({ TableName: searchTable }));
  for (const { pk, sk } of Items) await env.db.send(new DeleteCommand({ TableName: searchTable, Key: { pk, sk } }));
  return Items.length;
}

async function create(fields: Record<string, unknown>): Promise<Product> {
  const body = { description: '', category: 'rebuild', priceCents: 1000, currency: 'USD', sku: `SKU-${randomUUID().slice(0, 8)}`, ...fields };
  const response = await call<Product>(handlers.create, { method: 'POST', path: '/products', headers: admin, body });
  expect(response.status).toBe(201);
  const { id: productId, name, description, category, priceCents, currency, sku } = response.body;
  await deliver(busEvent(ProductCreated, { productId, name, description, category, priceCents, currency, sku }));
  return response.body;
}

describe('npm run ops -- rebuild search', () => {
  it('wiped, rebuilds the projection from the catalog table: the same search answers', async () => {
    const lamp = await create({ name: `${word} Lamp`, description: 'Warm light', priceCents: 2500 });
    await create({ name: `Café crème ${word}`, description: 'Smooth', priceCents: 1500 });
    const renamed = await call<Product>(handlers.update, {
      method: 'PATCH', path: `/products/${lamp.id}`, pathParameters: { productId: lamp.id }, headers: admin, body: { name: `${word} Lamp shade` },
    });
    const { id: productId, name, description, category, priceCents, currency, sku, version } = renamed.body;
    await deliver(busEvent(ProductUpdated, { productId, name, description, category, priceCents, currency, sku, version }));
    const gone = await create({ name: `${word} Lantern` });
    expect((await call(handlers.archive, { method: 'DELETE', path: `/products/${gone.id}`, pathParameters: { productId: gone.id }, headers: admin })).status).toBe(204);
    await deliver(busEvent(ProductArchived, { productId: gone.id, version: 2 }));

    const before = await answers();
    expect((before[0] as { items: unknown[] }).items).toHaveLength(2);
    expect(await wipeProjection()).toBe(3);
    expect((await answers())[0]).toEqual({ items: [], nextCursor: null });

    const dry = recorder();
    expect(await rebuildSearch(target, { dryRun: true }, dry)).toMatchObject({ products: 3, drifted: 3, written: 0 });
    expect(dry.lines.at(-1)).toContain('dry run, nothing written');
    expect(await answers()).not.toEqual(before);

    const report = recorder();
    expect(await rebuildSearch(target, { dryRun: false }, report)).toEqual({ products: 3, drifted: 3, orphans: 0, written: 3, skipped: 0 });
    expect(await answers()).toEqual(before);
    // Nothing left to do: a second rebuild finds no drift.
    expect(await rebuildSearch(target, { dryRun: false }, recorder())).toMatchObject({ drifted: 0, written: 0 });
  });

  it('repairs an item that drifted at the same version, and removes one whose product the catalog lacks', async () => {
    const lamp = await create({ name: `${word} Desk lamp` });
    const client = env.db;
    await client.send(new PutCommand({ TableName: searchTable, ...projectionPut({ id: lamp.id, name: 'Wrong', description: '', category: 'rebuild', priceCents: 1, currency: 'USD', sku: lamp.sku, status: 'ACTIVE', version: 1 }, { sameVersion: true }) }));
    await client.send(new PutCommand({ TableName: searchTable, ...projectionPut({ id: 'NOT-IN-CATALOG', status: 'ARCHIVED', version: 4 }) }));
    const report = recorder();
    expect(await rebuildSearch(target, { dryRun: false }, report)).toMatchObject({ drifted: 1, orphans: 1, written: 2, skipped: 0 });
    expect(report.lines).toContain('product NOT-IN-CATALOG: not in the catalog → removed from the projection');
    const { Items = [] } = await client.send(new ScanCommand({ TableName: searchTable }));
    expect(Items.map((item) => item.id)).not.toContain('NOT-IN-CATALOG');
    expect(Items.find((item) => item.id === lamp.id)).toMatchObject({ name: `${word} Desk lamp`, priceCents: 1000 });
  });
});
