/**
 * A small demo catalog with stock, written through the catalog's and the inventory's domains as
 * the admin creation writes the administrator (create-admin.ts): the same validation, the same
 * records and the same events (ProductCreated through the catalog's outbox, which the inventory
 * consumer turns into a stock record; StockReplenished through the inventory's outbox) as the
 * public API would make, without a cold start of every function on the way (login, create,
 * read stock, restock: about half of a ready start on a busy 2-core machine).
 */
import { routes } from '../functions/contracts/routes';
import { dynamoProductStore } from '../functions/catalog/adapters/dynamo-product-store';
import { createProduct } from '../functions/catalog/domain/catalog';
import { dynamoInventoryStore } from '../functions/inventory/adapters/dynamo-inventory-store';
import { restock, type InventoryStore } from '../functions/inventory/domain/inventory';
import { newId } from '../functions/shared/ids';
import type { LocalAssembly } from './types';

const DEMO_STOCK = 25;
// Generous: it only ends a seeding whose consumer is broken, and the chain it waits for (stream
// poll, outbox relay, bus, inventory consumer) may meet cold starts on a busy 2-core machine.
const STOCK_RECORD_TIMEOUT_MS = 60_000;
const STOCK_POLL_MS = 50;
const DEMO_PRODUCTS = [
  { name: 'Espresso Cup', description: 'Porcelain, 90 ml', category: 'kitchen', priceCents: 1200, sku: 'DEMO-CUP-ESPRESSO' },
  { name: 'Pour-over Kettle', description: 'Gooseneck, 1 l', category: 'kitchen', priceCents: 4900, sku: 'DEMO-KETTLE-1L' },
  { name: 'Canvas Tote', description: 'Heavy cotton', category: 'bags', priceCents: 2500, sku: 'DEMO-TOTE' },
  { name: 'Trail Backpack', description: '28 l, water resistant', category: 'bags', priceCents: 8900, sku: 'DEMO-PACK-28' },
  { name: 'Notebook', description: 'A5, dotted, 192 pages', category: 'stationery', priceCents: 1800, sku: 'DEMO-NOTEBOOK-A5' },
  { name: 'Fountain Pen', description: 'Steel nib, medium', category: 'stationery', priceCents: 3600, sku: 'DEMO-PEN-M' },
] as const;

/** The table of a context's stack (ContextStack's `Table`; the catalog's stack also holds its search projection's). */
function tableOf(assembly: LocalAssembly, stackName: string): string {
  const tables = assembly.ofType('AWS::DynamoDB::Table').filter((table) => table.stackName === stackName && /^Table[0-9A-F]{8}$/.test(table.logicalId));
  if (tables.length !== 1) throw new Error(`expected one table in ${stackName}, found ${tables.length}`);
  return tables[0]!.ref;
}

/**
 * The stock record appears once inventory has consumed ProductCreated: wait for it, bounded by
 * one deadline, reading the table directly (a read through the API would cold-start GetStock).
 */
async function stockRecordOf(store: InventoryStore, productId: string, deadline: number): Promise<void> {
  while (!(await store.stock(productId))) {
    if (Date.now() > deadline) throw new Error(`no stock record for ${productId} after ${STOCK_RECORD_TIMEOUT_MS} ms: is the inventory consumer failing?`);
    await new Promise((resolve) => setTimeout(resolve, STOCK_POLL_MS));
  }
}

/** Needs the SDK's DynamoDB endpoint in process.env (the runtime's clientEnvironment). */
export async function seedDemoCatalog(assembly: LocalAssembly): Promise<number> {
  const products = dynamoProductStore(tableOf(assembly, 'commerce-dev-catalog'));
  const inventory = dynamoInventoryStore(tableOf(assembly, 'commerce-dev-inventory'));
  const correlationId = `seed-${newId()}`;
  const ids: string[] = [];
  for (const product of DEMO_PRODUCTS) {
    const input = routes.createProduct.body.parse({ ...product, currency: 'USD' });
    ids.push((await createProduct(products, input, correlationId)).id);
  }
  const deadline = Date.now() + STOCK_RECORD_TIMEOUT_MS;
  const { quantity } = routes.restock.body.parse({ quantity: DEMO_STOCK });
  // Each product's stock record comes on its own: restock each as soon as its record is there.
  await Promise.all(ids.map(async (productId) => {
    await stockRecordOf(inventory, productId, deadline);
    await restock(inventory, productId, quantity, correlationId);
  }));
  return DEMO_PRODUCTS.length;
}
