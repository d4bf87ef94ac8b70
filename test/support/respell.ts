const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Another spelling of the same bytes: unpadded base64url whose length is not a multiple of 4
 * leaves low bits of the last character unused, and a lenient decoder ignores them. Flipping the
 * lowest one gives a different string that Buffer.from(…, 'base64url') decodes to identical bytes.
 */
export function respell(encoded: string): string {
  if (encoded.length % 4 < 2) throw new Error(`no unused bits to flip in a ${encoded.length}-character value`);
  const last = ALPHABET.indexOf(encoded.at(-1)!);
  const respelled = `${encoded.slice(0, -1)}${ALPHABET[last ^ 1]}`;
  if (!Buffer.from(respelled, 'base64url').equals(Buffer.from(encoded, 'base64url'))) throw new Error('respelling changed the bytes');
  return respelled;
}

/** A token or cursor whose last segment (the signature) is respelled. */
export function respellSignature(signed: string): string {
  const dot = signed.lastIndexOf('.');
  return `${signed.slice(0, dot + 1)}${respell(signed.slice(dot + 1))}`;
}
