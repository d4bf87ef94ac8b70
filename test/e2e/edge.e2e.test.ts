import { describe, expect, it } from 'vitest';
import { api, expectProblem } from './support/api';

describe('edge', () => {
  it('reports every context healthy', async () => {
    const health = await api.get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: 'ok',
      checks: { users: 'ok', catalog: 'ok', cart: 'ok', inventory: 'ok', payments: 'ok', orders: 'ok', shipping: 'ok', notifications: 'ok' },
    });
  });

  it('serves the OpenAPI 3.1 document of every route', async () => {
    const doc = await api.get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/auth/register', '/auth/login', '/users/me', '/products', '/products/{productId}', '/health', '/openapi.json']),
    );
    expect(Object.keys(doc.body.paths['/products/{productId}']!).sort()).toEqual(['delete', 'get', 'patch']);
  });

  it('answers an unknown route with a 404 problem and a CORS preflight with the allowed headers', async () => {
    const unrouted = await api.get<{ correlationId: string }>('/no-such-route');
    expectProblem(unrouted, 404);
    // The gateway's own answers carry X-Correlation-Id too, the id their body names.
    expect(unrouted.headers.get('x-correlation-id')).toBe(unrouted.body.correlationId);
    const preflight = await fetch(`${process.env.E2E_BASE_URL}/products`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBeTruthy();
    expect(preflight.headers.get('access-control-allow-headers') ?? '').toMatch(/Authorization/i);
  });
});
