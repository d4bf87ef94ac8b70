/**
 * How product text and search queries become words, the same way on both sides: Unicode NFKD
 * (so "é" is "e" plus a combining accent, and "ﬁ" is "fi"), the combining marks dropped, lower
 * case, split on anything that is not a letter or a digit. "Café crème" is ["cafe", "creme"].
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function tokenize(text: string): string[] {
  return normalizeText(text).split(/[^\p{L}\p{N}]+/u).filter((word) => word.length > 0);
}

/** The fields a product is found by, and how much a word found in each counts. */
export const FIELD_WEIGHTS = { name: 4, category: 2, sku: 2, description: 1 } as const;
export type SearchField = keyof typeof FIELD_WEIGHTS;

/** A whole-word match counts twice a prefix match: "cafe" finds "cafe" before "cafetiere". */
export const EXACT_FACTOR = 2;
export const PREFIX_FACTOR = 1;

/** Each distinct word of the product's searchable fields, with the weight of the best field it occurs in. */
export function weightedTokens(product: Record<SearchField, string>): Map<string, number> {
  const tokens = new Map<string, number>();
  for (const field of Object.keys(FIELD_WEIGHTS) as SearchField[]) {
    for (const token of tokenize(product[field])) {
      tokens.set(token, Math.max(tokens.get(token) ?? 0, FIELD_WEIGHTS[field]));
    }
  }
  return tokens;
}
