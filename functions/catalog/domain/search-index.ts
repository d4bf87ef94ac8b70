import type { SearchHit } from '../../contracts/api/catalog';
import { EXACT_FACTOR, PREFIX_FACTOR, weightedTokens } from './search-text';

/** An active product as the search projection holds it. */
export type ProjectedProduct = Omit<SearchHit, 'score'>;

/** What an archive leaves: its id and version, so an older change arriving late cannot bring it back. */
export interface Tombstone {
  id: string;
  status: 'ARCHIVED';
  version: number;
}

/** One item of the projection. */
export type ProjectionEntry = ProjectedProduct | Tombstone;

export const isTombstone = (entry: ProjectionEntry): entry is Tombstone => entry.status === 'ARCHIVED';

export interface SearchFilters {
  category?: string;
  minPriceCents?: number;
  maxPriceCents?: number;
}

/**
 * An inverted index of the active products, in memory: each word maps to the products that
 * contain it and the weight of the best field it occurs in. Whole words are one map lookup; the
 * last word of a query is also looked up as a prefix, by binary search in the sorted words.
 * Products are applied by version, so a change read twice, or after a newer one, changes nothing.
 */
export class SearchIndex {
  private readonly versions = new Map<string, number>();
  private readonly active = new Map<string, ProjectedProduct>();
  private readonly tokensOf = new Map<string, string[]>();
  private readonly postings = new Map<string, Map<string, number>>();
  /** The words with postings, sorted: rebuilt on the first prefix lookup after a word is added. */
  private sortedWords: string[] | undefined;

  get size(): number {
    return this.active.size;
  }

  /** Applies `product` unless the index holds its version or a newer one; true when applied. */
  apply(product: ProjectionEntry): boolean {
    if ((this.versions.get(product.id) ?? 0) >= product.version) return false;
    this.versions.set(product.id, product.version);
    this.remove(product.id);
    if (isTombstone(product)) return true;
    this.active.set(product.id, product);
    const tokens = weightedTokens(product);
    this.tokensOf.set(product.id, [...tokens.keys()]);
    for (const [token, weight] of tokens) {
      let posting = this.postings.get(token);
      if (posting === undefined) {
        posting = new Map();
        this.postings.set(token, posting);
        this.sortedWords = undefined;
      }
      posting.set(product.id, weight);
    }
    return true;
  }

  private remove(productId: string): void {
    this.active.delete(productId);
    for (const token of this.tokensOf.get(productId) ?? []) {
      const posting = this.postings.get(token);
      posting?.delete(productId);
      if (posting?.size === 0) {
        this.postings.delete(token);
        this.sortedWords = undefined;
      }
    }
    this.tokensOf.delete(productId);
  }

  /** The products matching every word (the last also as a prefix), best first, ties by id. */
  search(words: readonly string[], filters: SearchFilters = {}): SearchHit[] {
    let scores: Map<string, number> | undefined;
    words.forEach((word, position) => {
      const matches = position === words.length - 1 ? this.prefixMatches(word) : this.exactMatches(word);
      const next = new Map<string, number>();
      for (const [id, score] of matches) {
        const sofar = scores === undefined ? 0 : scores.get(id);
        if (sofar !== undefined) next.set(id, sofar + score);
      }
      scores = next;
    });
    const hits: SearchHit[] = [];
    for (const [id, score] of scores ?? []) {
      const product = this.active.get(id)!;
      if (matchesFilters(product, filters)) hits.push({ ...product, score });
    }
    return hits.sort(ranking);
  }

  private exactMatches(word: string): Map<string, number> {
    const scores = new Map<string, number>();
    for (const [id, weight] of this.postings.get(word) ?? []) scores.set(id, weight * EXACT_FACTOR);
    return scores;
  }

  /** Whole-word matches, and words that start with `prefix`: per product the best of them. */
  private prefixMatches(prefix: string): Map<string, number> {
    const scores = this.exactMatches(prefix);
    const words = (this.sortedWords ??= [...this.postings.keys()].sort());
    for (let i = lowerBound(words, prefix); i < words.length && words[i]!.startsWith(prefix); i++) {
      if (words[i] === prefix) continue;
      for (const [id, weight] of this.postings.get(words[i]!)!) {
        scores.set(id, Math.max(scores.get(id) ?? 0, weight * PREFIX_FACTOR));
      }
    }
    return scores;
  }
}

function matchesFilters(product: ProjectedProduct, { category, minPriceCents, maxPriceCents }: SearchFilters): boolean {
  return (category === undefined || product.category === category)
    && (minPriceCents === undefined || product.priceCents >= minPriceCents)
    && (maxPriceCents === undefined || product.priceCents <= maxPriceCents);
}

/** Best score first; equal scores by id, so a ranking (and the cursor into it) is stable. */
export function ranking(a: Pick<SearchHit, 'score' | 'id'>, b: Pick<SearchHit, 'score' | 'id'>): number {
  return b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function lowerBound(sorted: readonly string[], value: string): number {
  let low = 0, high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
