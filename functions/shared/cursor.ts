import { createHmac, timingSafeEqual } from 'node:crypto';
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
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(payload, key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidCursor();
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s?: unknown; p?: unknown };
  if (decoded.s !== scope || typeof decoded.p !== 'object' || decoded.p === null) throw invalidCursor();
  return decoded.p as Position;
}
