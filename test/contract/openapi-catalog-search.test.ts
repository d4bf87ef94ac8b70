import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/contracts/openapi';
import { ProductCreated } from '../../functions/contracts/events/catalog';

type Operation = { operationId: string; parameters: { name: string; in: string; required: boolean }[]; responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>; security?: unknown[] };
const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, Operation>> };

describe('the OpenAPI document: product search', () => {
  it('declares GET /products/search as public, with q required and the filters and paging optional', () => {
    const search = doc.paths['/products/search']!.get!;
    expect(search.operationId).toBe('searchProducts');
    expect(search.security).toEqual([]);
    const parameters = Object.fromEntries(search.parameters.map((p) => [p.name, { in: p.in, required: p.required }]));
    expect(parameters).toEqual({
      q: { in: 'query', required: true },
      category: { in: 'query', required: false },
      minPriceCents: { in: 'query', required: false },
      maxPriceCents: { in: 'query', required: false },
      limit: { in: 'query', required: false },
      cursor: { in: 'query', required: false },
    });
    expect(Object.keys(search.responses).sort()).toEqual(['200', '400']);
  });

  it('answers a page of hits, each with its score', () => {
    const page = doc.paths['/products/search']!.get!.responses['200']!.content!['application/json']!.schema as {
      properties: { items: { items: { required: string[]; properties: Record<string, unknown> } } };
    };
    expect(page.properties.items.items.required).toEqual(expect.arrayContaining(['id', 'name', 'description', 'category', 'priceCents', 'sku', 'score']));
  });

  it('keeps ProductCreated readable without the description it now carries', () => {
    const data = { productId: 'p', name: 'Lamp', category: 'home', priceCents: 100, currency: 'USD', sku: 'L' };
    expect(ProductCreated.data.parse(data)).toEqual(data);
    expect(ProductCreated.data.parse({ ...data, description: 'Warm' })).toMatchObject({ description: 'Warm' });
  });
});
