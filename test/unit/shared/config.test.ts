import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { readConfig } from '../../../functions/shared/config';

describe('readConfig', () => {
  it('returns typed values from the environment', () => {
    expect(readConfig({ TABLE_NAME: z.string().min(1) }, { TABLE_NAME: 't' })).toEqual({ TABLE_NAME: 't' });
  });

  it('fails naming every missing or malformed variable', () => {
    expect(() => readConfig({ TABLE_NAME: z.string().min(1), LIMIT: z.coerce.number().int() }, { LIMIT: 'x' })).toThrow(
      /TABLE_NAME.*LIMIT/,
    );
  });
});
