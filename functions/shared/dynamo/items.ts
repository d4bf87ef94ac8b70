/**
 * The optional fields of a value read from an item, without those the item lacks: a value
 * written without an optional field reads back without it (not with it set to undefined).
 */
export function presentFields<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
