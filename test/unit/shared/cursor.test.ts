import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../../functions/shared/cursor';
import { ValidationError } from '../../../functions/shared/errors';
import { respellSignature } from '../../support/respell';

const key = Buffer.alloc(32, 1);
const position = { pk: 'PRODUCT#01', sk: 'PRODUCT', gsi1pk: 'PRODUCT', gsi1sk: '01' };

describe('pagination cursors', () => {
  it('round-trips a position within its listing', () => {
    expect(decodeCursor(encodeCursor(position, 'products:all', key), 'products:all', key)).toEqual(position);
  });

  it.each([
    ['a cursor of another listing', () => encodeCursor(position, 'products:category:books', key)],
    ['a cursor signed with another key', () => encodeCursor(position, 'products:all', Buffer.alloc(32, 2))],
    ['an edited payload', () => {
      const [, signature] = encodeCursor(position, 'products:all', key).split('.');
      const forged = Buffer.from(JSON.stringify({ s: 'products:all', p: { ...position, pk: 'PRODUCT#99' } })).toString('base64url');
      return `${forged}.${signature}`;
    }],
    ['random text', () => 'hello'],
    ['an empty signature', () => `${encodeCursor(position, 'products:all', key).split('.')[0]}.`],
    ['the signature spelled differently (same bytes)', () => respellSignature(encodeCursor(position, 'products:all', key))],
    ['a padded signature', () => `${encodeCursor(position, 'products:all', key)}=`],
    ['a signature in standard base64', () => encodeCursor(position, 'products:all', key).replaceAll('-', '+').replaceAll('_', '/')],
    ['extra segments', () => `${encodeCursor(position, 'products:all', key)}.x`],
  ])('rejects %s as a 400 on query.cursor', (_name, make) => {
    try {
      decodeCursor(make(), 'products:all', key);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    }
  });
});
