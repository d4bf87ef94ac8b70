const ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * The bytes `text` encodes, only when `text` is exactly their canonical unpadded base64url
 * spelling; undefined otherwise. Node's decoder forgives padding, characters outside the
 * alphabet and set bits in the last character's unused low bits, so several spellings decode to
 * the same bytes: for a signed value (a token, a cursor) only the one we issued may be accepted.
 */
export function decodeBase64Url(text: string): Buffer | undefined {
  if (!ALPHABET.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
