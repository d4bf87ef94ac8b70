import { monotonicFactory } from 'ulid';

/** Random bytes for many ids, filled at once (see {@link pooledRandom}). */
const randomPool = new Uint8Array(256);
let randomOffset = randomPool.length;

/**
 * ulid's own source of randomness asks `crypto.getRandomValues` for one byte per character: 16
 * synchronous calls into the system's generator for each new id, a twentieth of a warm GET's
 * CPU in the function (it mints the correlation id). The same bytes, the same mapping (a byte /
 * 256), drawn from a buffer filled 256 bytes at a time.
 */
function pooledRandom(): number {
  if (randomOffset === randomPool.length) {
    crypto.getRandomValues(randomPool);
    randomOffset = 0;
  }
  return randomPool[randomOffset++]! / 256;
}

const nextUlid = monotonicFactory(pooledRandom);

/** Opaque, time-ordered ids: sorting by id sorts by creation. */
export function newId(): string {
  return nextUlid();
}

export function nowIso(): string {
  return new Date().toISOString();
}
