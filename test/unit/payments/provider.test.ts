import { describe, expect, it } from 'vitest';
import { authorize, KNOWN_TOKENS } from '../../../functions/payments/domain/provider';

const ATTEMPTS = [1, 2, 3, 10];

describe('the simulated provider', () => {
  it.each(['tok_visa', 'tok_mastercard'])('approves %s on every attempt', (token) => {
    for (const attempt of ATTEMPTS) expect(authorize(token, attempt)).toEqual({ outcome: 'approved' });
  });

  it.each([
    ['tok_decline', 'card_declined'],
    ['tok_insufficient_funds', 'insufficient_funds'],
  ])('declines %s on every attempt, for %s', (token, reason) => {
    for (const attempt of ATTEMPTS) expect(authorize(token, attempt)).toEqual({ outcome: 'declined', reason });
  });

  it.each(['tok_amex', '', 'TOK_VISA', 'tok_visa ', 'constructor', '__proto__', 'toString'])(
    'declines the unknown token %j on every attempt',
    (token) => {
      for (const attempt of ATTEMPTS) expect(authorize(token, attempt)).toEqual({ outcome: 'declined', reason: 'unknown_payment_token' });
    },
  );

  it('fails tok_error_once transiently on the first attempt only', () => {
    expect(authorize('tok_error_once', 1)).toEqual({ outcome: 'unavailable' });
    for (const attempt of [2, 3, 10]) expect(authorize('tok_error_once', attempt)).toEqual({ outcome: 'approved' });
  });

  it('fails tok_unavailable transiently on every attempt', () => {
    for (const attempt of ATTEMPTS) expect(authorize('tok_unavailable', attempt)).toEqual({ outcome: 'unavailable' });
  });

  it('answers the same for the same token and attempt, every time', () => {
    for (const token of [...KNOWN_TOKENS, 'tok_other']) {
      for (const attempt of ATTEMPTS) expect(authorize(token, attempt)).toEqual(authorize(token, attempt));
    }
  });

  it('documents exactly the six tokens of the API', () => {
    expect([...KNOWN_TOKENS].sort()).toEqual(
      ['tok_decline', 'tok_error_once', 'tok_insufficient_funds', 'tok_mastercard', 'tok_unavailable', 'tok_visa'],
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses attempt number %s: attempts count from 1', (attempt) => {
    expect(() => authorize('tok_visa', attempt)).toThrow(RangeError);
  });
});
