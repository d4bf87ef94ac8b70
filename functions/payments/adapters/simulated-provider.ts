import { DynamoTable, expiresAfter, ITEM_ABSENT, ITEM_EXISTS, itemKey } from '../../shared/dynamo';
import { newId, nowIso } from '../../shared/ids';
import { authorize, type ChargeAnswer, type PaymentProvider, type RefundAnswer } from '../domain/provider';

/**
 * The simulated provider, honouring idempotency keys as a real one does on its side: the first
 * request with a key is answered (a charge by the token table of domain/provider.ts) and its
 * answer kept; every later request with that key gets the same answer, and nothing is charged or
 * refunded again. The answers are kept where the provider's own database would be, in items
 * `PROVIDER#<key>`/`PROVIDER` of the payments table (with a request count), so that a retry that
 * lands on another execution environment is answered alike. An `unavailable` answer means the
 * request never got through, so there is nothing to keep.
 */
const recordKey = (idempotencyKey: string) => itemKey(`PROVIDER#${idempotencyKey}`, 'PROVIDER');
/** How long a key is remembered (Stripe's figure): far longer than any retry of a saga task. */
const KEY_RETENTION_SECONDS = 24 * 60 * 60;

/** A key sent again with another request: a bug of the caller, never a second charge. */
export class IdempotencyKeyMismatchError extends Error {
  constructor(idempotencyKey: string) {
    super(`Idempotency key ${idempotencyKey} was used before with another request`);
    this.name = 'IdempotencyKeyMismatchError';
  }
}

export function simulatedProvider(tableName: string): PaymentProvider {
  const table = new DynamoTable(tableName);

  /** The answer kept for the key, counting this request; undefined for a new key. */
  async function recall<A>(idempotencyKey: string, fingerprint: string): Promise<A | undefined> {
    const record = await table.updateReturning({
      Key: recordKey(idempotencyKey),
      UpdateExpression: 'ADD requests :one',
      ConditionExpression: ITEM_EXISTS,
      ExpressionAttributeValues: { ':one': 1 },
    });
    if (record === undefined) return undefined;
    if (record.fingerprint !== fingerprint) throw new IdempotencyKeyMismatchError(idempotencyKey);
    return record.answer as A;
  }

  /** Keeps the answer of the first request with the key; of two at once, the one kept first wins. */
  async function keep<A>(idempotencyKey: string, fingerprint: string, answer: A): Promise<A> {
    const Item = {
      ...recordKey(idempotencyKey), kind: 'providerRecord', idempotencyKey, fingerprint, answer, requests: 1,
      ...expiresAfter(nowIso(), KEY_RETENTION_SECONDS),
    };
    if (await table.putIf({ Item, ConditionExpression: ITEM_ABSENT })) return answer;
    const kept = await recall<A>(idempotencyKey, fingerprint);
    if (kept === undefined) throw new Error(`The provider record of ${idempotencyKey} vanished`);
    return kept;
  }

  /**
   * A key's first request is the common case, so its answer is decided and kept at once (one
   * conditional Put); only a key already answered (the Put's condition fails) reads the kept
   * answer, which then wins over the one just decided. An `unavailable` answer is not kept, but
   * a key answered before still gets its kept answer.
   */
  async function once<A extends { outcome: string }>(idempotencyKey: string, fingerprint: string, decide: () => A): Promise<A> {
    const answer = decide();
    if (answer.outcome !== 'unavailable') return keep(idempotencyKey, fingerprint, answer);
    return (await recall<A>(idempotencyKey, fingerprint)) ?? answer;
  }

  return {
    charge: ({ idempotencyKey, paymentToken, amountCents, currency, attempt }) =>
      once<ChargeAnswer>(idempotencyKey, JSON.stringify(['charge', paymentToken, amountCents, currency]), () => {
        const verdict = authorize(paymentToken, attempt);
        return verdict.outcome === 'approved' ? { outcome: 'approved', chargeId: newId() } : verdict;
      }),
    refund: ({ idempotencyKey, chargeId, amountCents }) =>
      once<RefundAnswer>(idempotencyKey, JSON.stringify(['refund', chargeId, amountCents]), () => ({ outcome: 'refunded', refundId: newId() })),
  };
}
