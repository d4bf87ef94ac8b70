/**
 * A small demo catalog with stock, created through the public API as the admin, so seeding
 * exercises the same path as any client (validation, outbox, events, the inventory consumer).
 */
const DEMO_STOCK = 25;
// Generous: it only ends a seeding whose consumer is broken, and the chain it waits for (stream
// poll, outbox relay, bus, inventory consumer) may meet three cold starts on a busy 2-core machine.
const STOCK_RECORD_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
const DEMO_PRODUCTS = [
  { name: 'Espresso Cup', description: 'Porcelain, 90 ml', category: 'kitchen', priceCents: 1200, sku: 'DEMO-CUP-ESPRESSO' },
  { name: 'Pour-over Kettle', description: 'Gooseneck, 1 l', category: 'kitchen', priceCents: 4900, sku: 'DEMO-KETTLE-1L' },
  { name: 'Canvas Tote', description: 'Heavy cotton', category: 'bags', priceCents: 2500, sku: 'DEMO-TOTE' },
  { name: 'Trail Backpack', description: '28 l, water resistant', category: 'bags', priceCents: 8900, sku: 'DEMO-PACK-28' },
  { name: 'Notebook', description: 'A5, dotted, 192 pages', category: 'stationery', priceCents: 1800, sku: 'DEMO-NOTEBOOK-A5' },
  { name: 'Fountain Pen', description: 'Steel nib, medium', category: 'stationery', priceCents: 3600, sku: 'DEMO-PEN-M' },
] as const;

async function call(url: string, init: RequestInit & { token?: string }): Promise<Record<string, unknown>> {
  const request = `${init.method ?? 'GET'} ${url}`;
  const response = await fetch(url, {
    ...init,
    headers: { 'Content-Type': 'application/json', ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}) },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  }).catch((error: unknown) => {
    // A bare "TimeoutError: The operation was aborted" would not say which request hung.
    throw new Error(`${request} failed: ${describe(error)}`, { cause: error });
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${request} answered ${response.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function describe(error: unknown, timeoutMs = REQUEST_TIMEOUT_MS): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${(timeoutMs / 1000).toFixed(1)} s`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The stock record appears once inventory has consumed ProductCreated: wait for it, bounded by
 * one deadline. A poll that fails (e.g. a slow cold start of the inventory function on a busy
 * machine) is retried until then, instead of ending the whole seeding.
 */
async function stockRecordOf(baseUrl: string, productId: string): Promise<void> {
  const deadline = Date.now() + STOCK_RECORD_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const timeoutMs = Math.max(1, deadline - Date.now());
    try {
      const response = await fetch(`${baseUrl}/inventory/${productId}`, { signal: AbortSignal.timeout(timeoutMs) });
      if (response.ok) return;
      last = `GET /inventory/${productId} answered ${response.status}`;
    } catch (error) {
      last = `GET /inventory/${productId} failed: ${describe(error, timeoutMs)}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no stock record for ${productId} after ${STOCK_RECORD_TIMEOUT_MS} ms (${last}): is the inventory consumer failing?`);
}

export async function seedDemoCatalog(baseUrl: string, admin: { email: string; password: string }): Promise<number> {
  const { accessToken } = await call(`${baseUrl}/auth/login`, { method: 'POST', body: JSON.stringify(admin) });
  const token = String(accessToken);
  const ids: string[] = [];
  for (const product of DEMO_PRODUCTS) {
    const created = await call(`${baseUrl}/products`, { method: 'POST', token, body: JSON.stringify({ ...product, currency: 'USD' }) });
    ids.push(String(created.id));
  }
  for (const productId of ids) {
    await stockRecordOf(baseUrl, productId);
    await call(`${baseUrl}/inventory/${productId}/restock`, { method: 'POST', token, body: JSON.stringify({ quantity: DEMO_STOCK }) });
  }
  return DEMO_PRODUCTS.length;
}
