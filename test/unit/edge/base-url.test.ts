import { describe, expect, it } from 'vitest';
import { apiBaseUrl } from '../../../functions/edge/dashboard/adapters/base-url';

const url = (headers: Record<string, string>) => apiBaseUrl({ headers, stage: 'dev' });

describe('apiBaseUrl', () => {
  it('keeps the stage prefix on an execute-api host', () => {
    expect(url({ host: 'abc123.execute-api.eu-west-1.amazonaws.com', 'x-forwarded-proto': 'https' }))
      .toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/dev');
  });

  it('hangs the routes from the root behind a custom domain', () => {
    expect(url({ host: 'api.example.com', 'x-forwarded-proto': 'https' })).toBe('https://api.example.com');
  });

  it('hangs the routes from the root offline, over http with the port', () => {
    expect(url({ host: '127.0.0.1:3000', 'x-forwarded-proto': 'http' })).toBe('http://127.0.0.1:3000');
    expect(url({ host: '[::1]:3000', 'x-forwarded-proto': 'http' })).toBe('http://[::1]:3000');
  });

  it('defaults to https, and takes the first of several forwarded protocols', () => {
    expect(url({ host: 'api.example.com' })).toBe('https://api.example.com');
    expect(url({ host: 'api.example.com', 'x-forwarded-proto': 'HTTP, https' })).toBe('http://api.example.com');
    expect(url({ host: 'api.example.com', 'x-forwarded-proto': 'gopher' })).toBe('https://api.example.com');
  });

  it('has no prefix on an execute-api host without a stage', () => {
    expect(apiBaseUrl({ headers: { host: 'abc123.execute-api.eu-west-1.amazonaws.com' }, stage: undefined })).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com');
  });

  it('refuses a missing Host, or one that would reshape the URL', () => {
    expect(url({})).toBeUndefined();
    expect(url({ host: '' })).toBeUndefined();
    expect(url({ host: 'evil.example/steal?' })).toBeUndefined();
    expect(url({ host: 'user@evil.example' })).toBeUndefined();
    expect(url({ host: 'api.example.com#' })).toBeUndefined();
  });
});
