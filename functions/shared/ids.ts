import { monotonicFactory } from 'ulid';

const nextUlid = monotonicFactory();

/** Opaque, time-ordered ids: sorting by id sorts by creation. */
export function newId(): string {
  return nextUlid();
}

export function nowIso(): string {
  return new Date().toISOString();
}
