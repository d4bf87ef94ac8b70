import { decodeCursor, encodeCursor, invalidCursor } from './cursor';

/**
 * Cursor paging for every listing: the cursor holds the position of the last item of the page
 * before (signed, and bound to the listing it came from, see cursor.ts), and one item more than
 * the page is read, so a page that ends the listing has no cursor instead of one that leads to an
 * empty page.
 */
export interface PageQuery {
  limit: number;
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Where a listing continues: the named fields of the last item read, all strings. */
export type ListPosition<F extends string> = Record<F, string>;

export interface Listing<T, F extends string> {
  /** Which listing a cursor belongs to: one issued for another scope (user, category) is a 400. */
  scope: string;
  /** The key cursors are signed with. */
  key: Buffer;
  /** The fields of a position: a decoded cursor lacking any of them (as a string) is a 400. */
  fields: readonly F[];
  /** The position just after `item`. */
  positionOf(item: T): ListPosition<F>;
  /** Up to `limit` items in listing order, after `after` when given. */
  read(after: ListPosition<F> | undefined, limit: number): Promise<T[]>;
}

function positionIn<F extends string>(cursor: string, listing: Pick<Listing<unknown, F>, 'scope' | 'key' | 'fields'>): ListPosition<F> {
  const decoded = decodeCursor(cursor, listing.scope, listing.key);
  // Signed by us, so only a cursor from an older format can fail this.
  if (!listing.fields.every((field) => typeof decoded[field] === 'string')) throw invalidCursor();
  return Object.fromEntries(listing.fields.map((field) => [field, decoded[field]])) as ListPosition<F>;
}

/** One page of the listing: a cursor that is not this listing's is a 400 before anything is read. */
export async function paginate<T, F extends string>(listing: Listing<T, F>, query: PageQuery): Promise<Page<T>> {
  const after = query.cursor === undefined ? undefined : positionIn(query.cursor, listing);
  const found = await listing.read(after, query.limit + 1);
  const items = found.slice(0, query.limit);
  const last = items.at(-1);
  const nextCursor = found.length > query.limit && last !== undefined ? encodeCursor(listing.positionOf(last), listing.scope, listing.key) : null;
  return { items, nextCursor };
}
