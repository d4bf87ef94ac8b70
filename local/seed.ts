/**
 * A demo catalog with stock, written through the catalog's and the inventory's domains as
 * the admin creation writes the administrator (create-admin.ts): the same validation, the same
 * records and the same events (ProductCreated through the catalog's outbox, which the inventory
 * consumer turns into a stock record; StockReplenished through the inventory's outbox) as the
 * public API would make, without a cold start of every function on the way (login, create,
 * read stock, restock: about half of a ready start on a busy 2-core machine).
 *
 * Its outcome is kept once settled and restored by the next start of the unchanged app (demo-data.ts).
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
/** Products created at once: DynamoDB Local takes them in parallel (one after another took seconds). */
const CREATE_CONCURRENCY = 8;
/**
 * A catalog worth searching: six categories, names sharing words (coffee, cup, lamp, bag, pen)
 * so that ranking shows (a word in the name before one in the description, a whole word before
 * a prefix), and accented names ("Café crème", "Crème brûlée") found by their plain spelling.
 */
const DEMO_PRODUCTS = [
  { name: 'Espresso Cup', description: 'Porcelain, 90 ml', category: 'kitchen', priceCents: 1200, sku: 'DEMO-CUP-ESPRESSO' },
  { name: 'Pour-over Kettle', description: 'Gooseneck, 1 l', category: 'kitchen', priceCents: 4900, sku: 'DEMO-KETTLE-1L' },
  { name: 'Canvas Tote', description: 'Heavy cotton', category: 'bags', priceCents: 2500, sku: 'DEMO-TOTE' },
  { name: 'Trail Backpack', description: '28 l, water resistant', category: 'bags', priceCents: 8900, sku: 'DEMO-PACK-28' },
  { name: 'Notebook', description: 'A5, dotted, 192 pages', category: 'stationery', priceCents: 1800, sku: 'DEMO-NOTEBOOK-A5' },
  { name: 'Fountain Pen', description: 'Steel nib, medium', category: 'stationery', priceCents: 3600, sku: 'DEMO-PEN-M' },
  { name: 'Café crème Mug', description: 'Stoneware coffee mug, 350 ml', category: 'kitchen', priceCents: 1600, sku: 'DEMO-MUG-CREME' },
  { name: 'Cappuccino Cup and Saucer', description: 'For coffee with milk foam', category: 'kitchen', priceCents: 1900, sku: 'DEMO-CUP-CAPPUCCINO' },
  { name: 'Crème brûlée Torch', description: 'Kitchen blowtorch for caramel', category: 'kitchen', priceCents: 2900, sku: 'DEMO-TORCH' },
  { name: 'Cafetière', description: 'French press coffee maker, 8 cups', category: 'kitchen', priceCents: 3400, sku: 'DEMO-CAFETIERE' },
  { name: 'Travel Mug', description: 'Keeps coffee hot for 6 hours', category: 'kitchen', priceCents: 2200, sku: 'DEMO-MUG-TRAVEL' },
  { name: 'Tea Cup', description: 'Bone china, 200 ml', category: 'kitchen', priceCents: 1400, sku: 'DEMO-CUP-TEA' },
  { name: 'Coffee Beans, Café de Colombia', description: 'Whole beans, medium roast, 500 g', category: 'coffee', priceCents: 1500, sku: 'DEMO-BEANS-COLOMBIA' },
  { name: 'Coffee Beans, Ethiopia Yirgacheffe', description: 'Whole beans, light roast, 250 g', category: 'coffee', priceCents: 1300, sku: 'DEMO-BEANS-ETHIOPIA' },
  { name: 'Decaf Coffee', description: 'Ground, Swiss water process, 250 g', category: 'coffee', priceCents: 1100, sku: 'DEMO-DECAF' },
  { name: 'Coffee Grinder', description: 'Conical burr, 40 settings', category: 'coffee', priceCents: 6900, sku: 'DEMO-GRINDER' },
  { name: 'Espresso Machine', description: '15 bar pump, steam wand for café au lait', category: 'coffee', priceCents: 24900, sku: 'DEMO-ESPRESSO-MACHINE' },
  { name: 'Milk Frother', description: 'For cappuccino and crème foam', category: 'coffee', priceCents: 2900, sku: 'DEMO-FROTHER' },
  { name: 'Desk Lamp', description: 'LED, dimmable, warm light', category: 'home', priceCents: 3900, sku: 'DEMO-LAMP-DESK' },
  { name: 'Floor Lamp', description: 'Linen shade, 160 cm', category: 'home', priceCents: 8900, sku: 'DEMO-LAMP-FLOOR' },
  { name: 'Lampshade', description: 'Pleated cotton, for table lamps', category: 'home', priceCents: 1900, sku: 'DEMO-LAMPSHADE' },
  { name: 'Throw Blanket', description: 'Merino wool, naturally warm', category: 'home', priceCents: 7900, sku: 'DEMO-BLANKET' },
  { name: 'Scented Candle', description: 'Crème de vanille, 40 hours', category: 'home', priceCents: 2400, sku: 'DEMO-CANDLE' },
  { name: 'Wall Clock', description: 'Silent sweep, 30 cm', category: 'home', priceCents: 3200, sku: 'DEMO-CLOCK' },
  { name: 'Weekend Bag', description: 'Waxed canvas, leather handles', category: 'bags', priceCents: 12900, sku: 'DEMO-BAG-WEEKEND' },
  { name: 'Laptop Bag', description: 'Padded, fits 15 inch', category: 'bags', priceCents: 5900, sku: 'DEMO-BAG-LAPTOP' },
  { name: 'Messenger Bag', description: 'Canvas, for notebooks and a laptop', category: 'bags', priceCents: 6400, sku: 'DEMO-BAG-MESSENGER' },
  { name: 'Daypack', description: 'A light backpack, 18 l', category: 'bags', priceCents: 4500, sku: 'DEMO-PACK-18' },
  { name: 'Ballpoint Pen', description: 'Refillable, black ink', category: 'stationery', priceCents: 900, sku: 'DEMO-PEN-BALLPOINT' },
  { name: 'Pen Case', description: 'Leather, holds 3 pens', category: 'stationery', priceCents: 2100, sku: 'DEMO-PEN-CASE' },
  { name: 'Pocket Notebook', description: 'A6, lined, 96 pages', category: 'stationery', priceCents: 900, sku: 'DEMO-NOTEBOOK-A6' },
  { name: 'Papier mâché Desk Tray', description: 'For pens and notebooks', category: 'stationery', priceCents: 1700, sku: 'DEMO-TRAY' },
  { name: 'Camping Lantern', description: 'Rechargeable LED lamp, water resistant', category: 'outdoor', priceCents: 3900, sku: 'DEMO-LANTERN' },
  { name: 'Insulated Bottle', description: 'Steel, keeps drinks cold for 24 hours', category: 'outdoor', priceCents: 2900, sku: 'DEMO-BOTTLE' },
  { name: 'Camp Coffee Percolator', description: 'Enamel, brews 6 cups over a fire', category: 'outdoor', priceCents: 3500, sku: 'DEMO-PERCOLATOR' },
  { name: 'Hammock', description: 'Parachute nylon, with straps', category: 'outdoor', priceCents: 4900, sku: 'DEMO-HAMMOCK' },
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
  for (let i = 0; i < DEMO_PRODUCTS.length; i += CREATE_CONCURRENCY) {
    ids.push(...(await Promise.all(DEMO_PRODUCTS.slice(i, i + CREATE_CONCURRENCY).map(async (product) => {
      const input = routes.createProduct.body.parse({ ...product, currency: 'USD' });
      return (await createProduct(products, input, correlationId)).id;
    }))));
  }
  const deadline = Date.now() + STOCK_RECORD_TIMEOUT_MS;
  const { quantity } = routes.restock.body.parse({ quantity: DEMO_STOCK });
  // One product's stock record looked for at a time (they come in about the order the products
  // were created): a poller per product, every 50 ms, was 700 reads a second for 36 products,
  // taking the CPU from the consumer that writes them. Each restock goes as soon as its record is there.
  const restocks: Promise<unknown>[] = [];
  for (const productId of ids) {
    await stockRecordOf(inventory, productId, deadline);
    restocks.push(restock(inventory, productId, quantity, correlationId));
  }
  await Promise.all(restocks);
  return DEMO_PRODUCTS.length;
}

