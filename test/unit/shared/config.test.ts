import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { baseUrl, nonEmpty, readConfig, readVariable } from '../../../functions/shared/config';

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

describe('readVariable', () => {
  it('reads one variable, or fails naming it', () => {
    expect(readVariable('ORDER_SAGA_ARN', nonEmpty, { ORDER_SAGA_ARN: 'arn:saga' })).toBe('arn:saga');
    expect(() => readVariable('ORDER_SAGA_ARN', nonEmpty, { ORDER_SAGA_ARN: '' })).toThrow(/Invalid function configuration: ORDER_SAGA_ARN/);
  });
});

describe('baseUrl', () => {
  const read = (value: string | undefined) => readConfig({ API: baseUrl }, { API: value }).API;

  it('keeps the path of an http(s) URL, without its trailing slash', () => {
    expect(read('https://abc123.execute-api.eu-west-1.amazonaws.com/dev/')).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/dev');
    expect(read('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000');
  });

  it('refuses a missing value, another scheme, credentials, a query or a fragment', () => {
    for (const value of [undefined, '', 'api.example.com', 'ftp://api.example.com', 'https://user:pw@api.example.com', 'https://api.example.com/?x=1', 'https://api.example.com/#x']) {
      expect(() => read(value), String(value)).toThrow(/Invalid function configuration: API/);
    }
  });
});
