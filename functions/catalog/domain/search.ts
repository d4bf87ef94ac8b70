import { createHash } from 'node:crypto';
import type { SearchHit, SearchProductsQuery } from '../../contracts/api/catalog';
import { ValidationError } from '../../shared/errors';
import { paginate, type Page } from '../../shared/paging';
import { ranking, SearchIndex, type ProjectionEntry, type SearchFilters } from './search-index';
import { tokenize } from './search-text';

/** What the search reads of its projection (see search-projection.ts for how it is kept). */
export interface SearchProjectionReader {
  /** Every projected product, tombstones included. */
  all(): Promise<ProjectionEntry[]>;
  /** The products whose projection changed at or after `since` (ISO 8601), in any order. */
  changedSince(since: string): Promise<ProjectionEntry[]>;
}

/**
 * How far back each refresh looks again: a change stamped by a writer whose clock runs behind
 * ours, or not yet visible in the eventually consistent changes index when we last asked, is
 * still found if it is at most this late. Re-reading it is harmless: changes apply by version.
 */
export const CHANGE_OVERLAP_MS = 5_000;

/**
 * The index of one execution environment: loaded from the whole projection on first use, then
 * brought up to date before every search by one query for the changes since the last one (so a
 * change is searchable within seconds, on every warm environment). Refreshes take turns, so two
 * searches of one environment never apply changes at the same time.
 */
export class LiveSearchIndex {
  private index: SearchIndex | undefined;
  private since = '';
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly projection: SearchProjectionReader, private readonly now: () => number = Date.now) {}

  current(): Promise<SearchIndex> {
    const refreshed = this.turn.then(() => this.refresh());
    this.turn = refreshed.catch(() => undefined);
    return refreshed;
  }

  private async refresh(): Promise<SearchIndex> {
    const started = this.now();
    if (this.index === undefined) {
      const index = new SearchIndex();
      for (const product of await this.projection.all()) index.apply(product);
      this.index = index;
    } else {
      for (const product of await this.projection.changedSince(this.since)) this.index.apply(product);
    }
    this.since = new Date(started - CHANGE_OVERLAP_MS).toISOString();
    return this.index;
  }
}

const noWords = () => new ValidationError('The request is invalid', {
  errors: [{ path: 'query.q', message: 'must contain a letter or a digit' }],
});

/** Binds a cursor to its search: the same words and filters, however the query was spelled. */
function searchScope(words: readonly string[], filters: SearchFilters): string {
  const digest = createHash('sha256').update(JSON.stringify([words, filters.category, filters.minPriceCents, filters.maxPriceCents])).digest('base64url');
  return `products:search:${digest.slice(0, 22)}`;
}

/**
 * One page of the active products matching every word of `q`, best first. The cursor holds the
 * score and id of the last hit, so the next page starts after it in the ranking even when the
 * index changed in between (a product that rose above it is not shown twice).
 */
export async function searchProducts(live: LiveSearchIndex, query: SearchProductsQuery, cursorKey: Buffer): Promise<Page<SearchHit>> {
  const words = tokenize(query.q);
  if (words.length === 0) throw noWords();
  const { category, minPriceCents, maxPriceCents } = query;
  const filters = { category, minPriceCents, maxPriceCents };
  return paginate({
    scope: searchScope(words, filters),
    key: cursorKey,
    fields: ['score', 'id'],
    positionOf: (hit) => ({ score: String(hit.score), id: hit.id }),
    read: async (after, limit) => {
      const hits = (await live.current()).search(words, filters);
      const position = after && { score: Number(after.score), id: after.id };
      const start = position ? hits.findIndex((hit) => ranking(hit, position) > 0) : 0;
      return start < 0 ? [] : hits.slice(start, start + limit);
    },
  }, query);
}
