/**
 * DynamoDB's billing arithmetic by AWS's documented rules (developer guide, "Item sizes and
 * formats" and "Capacity management for transactions"), where DynamoDB Local's own figures are
 * wrong: an item's size in bytes, and the units of a transaction's items.
 */

export type AttributeValue = Readonly<Record<string, unknown>>;
export type AttributeMap = Readonly<Record<string, AttributeValue>>;
export type KeySchema = readonly { AttributeName: string; KeyType: string }[];

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** A number's size: about one byte per two significant digits, plus one. */
function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

export function valueSize(value: AttributeValue): number {
  const [type, inner] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return utf8(String(inner));
    case 'N':
      return numberSize(String(inner));
    case 'B':
      return Buffer.from(String(inner), 'base64').length;
    case 'SS':
      return (inner as string[]).reduce((sum, item) => sum + utf8(item), 0);
    case 'NS':
      return (inner as string[]).reduce((sum, item) => sum + numberSize(item), 0);
    case 'BS':
      return (inner as string[]).reduce((sum, item) => sum + Buffer.from(item, 'base64').length, 0);
    case 'L':
      return 3 + (inner as AttributeValue[]).reduce((sum, item) => sum + 1 + valueSize(item), 0);
    case 'M':
      return 3 + Object.entries(inner as AttributeMap).reduce((sum, [name, item]) => sum + 1 + utf8(name) + valueSize(item), 0);
    default:
      return 1; // BOOL, NULL
  }
}

/** The item's size: its attribute names and values. */
export function itemSize(item: AttributeMap | undefined): number {
  return Object.entries(item ?? {}).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

/** Write units: 1 per KB started, at least 1. */
export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
/** Strongly consistent read units: 1 per 4 KB started, at least 1. */
export const readUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 4096));

/** An item's key with the ids elided (`ORDER#…`): what kind of item it is. */
export function keyLabel(key: AttributeMap): string {
  return Object.values(key)
    .map((value) => String(Object.values(value)[0]).replace(/[0-9A-Za-z_-]{16,}/g, '…'))
    .join('/');
}

type TransactWriteItem = Readonly<Record<'Put' | 'Update' | 'Delete' | 'ConditionCheck', { TableName: string; Key?: AttributeMap; Item?: AttributeMap }>>;

export interface ItemReader {
  getItem(table: string, key: AttributeMap): Promise<AttributeMap | undefined>;
  keySchema(table: string): Promise<KeySchema>;
}

/**
 * A TransactWriteItems' write units per table: 2 per KB of each item, the larger of its size
 * before and after (a ConditionCheck: the item checked). Call before forwarding it (reads the
 * items as they are), then `after()` once it has run (reads what Update wrote).
 */
export interface TransactionUnits {
  /** Write units per table. */
  readonly byTable: Map<string, number>;
  /** Each item: `Put ORDER#…/OUTBOX#… 1234 B` (its key, ids elided, and billed size), in the request's order. */
  readonly items: string[];
}

export async function transactionWriteUnits(reader: ItemReader, items: readonly TransactWriteItem[]): Promise<{ after(): Promise<TransactionUnits> }> {
  const actions = await Promise.all(
    items.map(async (item) => {
      const [kind, action] = Object.entries(item)[0] as [keyof TransactWriteItem, TransactWriteItem[keyof TransactWriteItem]];
      const schema = await reader.keySchema(action.TableName);
      const key = action.Key ?? Object.fromEntries(schema.map(({ AttributeName }) => [AttributeName, action.Item![AttributeName]!]));
      return { kind, action, key, before: itemSize(await reader.getItem(action.TableName, key)) };
    }),
  );
  return {
    async after() {
      const byTable = new Map<string, number>();
      const described: string[] = [];
      for (const { kind, action, key, before } of actions) {
        const after = kind === 'Put' ? itemSize(action.Item) : kind === 'Update' ? itemSize(await reader.getItem(action.TableName, key)) : 0;
        byTable.set(action.TableName, (byTable.get(action.TableName) ?? 0) + 2 * writeUnits(Math.max(before, after)));
        described.push(`${kind} ${keyLabel(key)} ${Math.max(before, after)} B`);
      }
      return { byTable, items: described };
    },
  };
}

/** A TransactGetItems' read units per table: 2 per 4 KB of each item read (the Responses, in order). */
export function transactionReadUnits(items: readonly { Get: { TableName: string } }[], responses: readonly { Item?: AttributeMap }[] = []): Map<string, number> {
  const byTable = new Map<string, number>();
  items.forEach(({ Get }, index) => byTable.set(Get.TableName, (byTable.get(Get.TableName) ?? 0) + 2 * readUnits(itemSize(responses[index]?.Item))));
  return byTable;
}
