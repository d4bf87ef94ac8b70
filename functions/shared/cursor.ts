import { createHmac, timingSafeEqual } from 'node:crypto';
import { decodeBase64Url } from './base64url';
import { ValidationError } from './errors';

/**
 * Pagination cursors: the store's position, bound to the listing it came from, signed so a
 * forged, edited or foreign cursor is a 400 and never reaches the database.
 */
export type Position = Record<string, unknown>;

function mac(payload: string, key: Buffer): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

export function encodeCursor(position: Position, scope: string, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify({ s: scope, p: position })).toString('base64url');
  return `${payload}.${mac(payload, key).toString('base64url')}`;
}

/** The 400 for any cursor this API did not issue for the listing at hand. */
export const invalidCursor = () =>
  new ValidationError('The request is invalid', {
    errors: [{ path: 'query.cursor', message: 'Not a cursor issued for this listing' }],
  });

export function decodeCursor(cursor: string, scope: string, key: Buffer): Position {
  const [payload, signature, ...rest] = cursor.split('.');
  if (!payload || !signature || rest.length > 0) throw invalidCursor();
  // Only the spelling we issued: another spelling of the same signature bytes is a forgery.
  const given = decodeBase64Url(signature);
  const expected = mac(payload, key);
  if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
  const bytes = decodeBase64Url(payload);
  if (!bytes) throw invalidCursor();
  const decoded = JSON.parse(bytes.toString('utf8')) as { s?: unknown; p?: unknown };
  if (decoded.s !== scope || typeof decoded.p !== 'object' || decoded.p === null) throw invalidCursor();
  return decoded.p as Position;
}
