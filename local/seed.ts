/**
 * A small demo catalog, created through the public API as the admin, so seeding exercises the
 * same path as any client (validation, outbox, events).
 */
const DEMO_PRODUCTS = [
  { name: 'Espresso Cup', description: 'Porcelain, 90 ml', category: 'kitchen', priceCents: 1200, sku: 'DEMO-CUP-ESPRESSO' },
  { name: 'Pour-over Kettle', description: 'Gooseneck, 1 l', category: 'kitchen', priceCents: 4900, sku: 'DEMO-KETTLE-1L' },
  { name: 'Canvas Tote', description: 'Heavy cotton', category: 'bags', priceCents: 2500, sku: 'DEMO-TOTE' },
  { name: 'Trail Backpack', description: '28 l, water resistant', category: 'bags', priceCents: 8900, sku: 'DEMO-PACK-28' },
  { name: 'Notebook', description: 'A5, dotted, 192 pages', category: 'stationery', priceCents: 1800, sku: 'DEMO-NOTEBOOK-A5' },
  { name: 'Fountain Pen', description: 'Steel nib, medium', category: 'stationery', priceCents: 3600, sku: 'DEMO-PEN-M' },
] as const;

async function call(url: string, init: RequestInit & { token?: string }): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    ...init,
    headers: { 'Content-Type': 'application/json', ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}) },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function seedDemoCatalog(baseUrl: string, admin: { email: string; password: string }): Promise<number> {
  const { accessToken } = await call(`${baseUrl}/auth/login`, { method: 'POST', body: JSON.stringify(admin) });
  for (const product of DEMO_PRODUCTS) {
    await call(`${baseUrl}/products`, {
      method: 'POST',
      token: String(accessToken),
      body: JSON.stringify({ ...product, currency: 'USD' }),
    });
  }
  return DEMO_PRODUCTS.length;
}
