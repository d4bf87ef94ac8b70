import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/contracts/openapi';

type Operation = { operationId: string; parameters: { name: string; in: string; required: boolean }[]; responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { schema: Record<string, unknown> }> }>; requestBody?: unknown; security?: unknown[] };
const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, Operation>> };

describe('the OpenAPI document: the cart and the catalog batch', () => {
  it('lists every cart route and GET /products/batch', () => {
    expect(Object.keys(doc.paths['/cart']!).sort()).toEqual(['delete', 'get']);
    expect(Object.keys(doc.paths['/cart/items/{productId}']!).sort()).toEqual(['delete', 'put']);
    expect(Object.keys(doc.paths['/cart/checkout']!)).toEqual(['post']);
    expect(doc.paths['/products/batch']!.get!.operationId).toBe('getProductBatch');
  });

  it('describes the cart as the contract has it, and the 503s with Retry-After', () => {
    const cart = doc.paths['/cart']!.get!.responses['200']!.content!['application/json']!.schema as { required: string[] };
    expect(cart.required.sort()).toEqual(['currency', 'degraded', 'items', 'totalCents', 'updatedAt', 'version']);
    const put = doc.paths['/cart/items/{productId}']!.put!;
    expect(Object.keys(put.responses).sort()).toEqual(['200', '400', '401', '409', '413', '422', '503']);
    expect(put.responses['503']!.headers).toHaveProperty('Retry-After');
    expect(put.requestBody).toBeDefined();
  });

  it('takes an optional Idempotency-Key on checkout and answers 202 with the order', () => {
    const checkout = doc.paths['/cart/checkout']!.post!;
    expect(checkout.parameters).toContainEqual(expect.objectContaining({ name: 'idempotency-key', in: 'header', required: false }));
    expect(Object.keys(checkout.responses).sort()).toEqual(['202', '400', '401', '409', '413', '422', '503']);
  });

  it('makes the batch public, with ids required in the query', () => {
    const batch = doc.paths['/products/batch']!.get!;
    expect(batch.security).toEqual([]);
    expect(batch.parameters).toEqual([expect.objectContaining({ name: 'ids', in: 'query', required: true })]);
  });
});
