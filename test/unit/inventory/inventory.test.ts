import { describe, expect, it } from 'vitest';
import { SagaError } from '../../../functions/contracts/saga';
import {
  commitStock, MAX_WRITE_ATTEMPTS, releaseStock, reserveStock, restock, type InventoryStore, type WriteResult,
} from '../../../functions/inventory/domain/inventory';
import type { Reservation } from '../../../functions/inventory/domain/reservation';
import type { StockRecord } from '../../../functions/inventory/domain/stock';

/**
 * A store whose writes answer from a script: how the use cases react to each way a conditional
 * write can fail, which DynamoDB only produces under real races.
 */
function scriptedStore(answers: WriteResult[], state: { stock?: StockRecord; reservation?: Reservation } = {}) {
  let writes = 0;
  const next = async () => {
    writes += 1;
    return answers.shift() ?? 'written';
  };
  const store: InventoryStore = {
    stock: async () => state.stock,
    createStock: async () => true,
    changeStock: next,
    reservation: async () => state.reservation,
    reservationAndStocks: async () => ({ ...(state.reservation ? { reservation: state.reservation } : {}), stocks: state.stock ? [state.stock] : [] }),
    createReservation: next,
    settleReservation: next,
  };
  return { store, writes: () => writes };
}

const stock: StockRecord = { productId: 'p1', available: 10, reserved: 2, updatedAt: '2025-01-01T00:00:00.000Z' };
const reserved: Reservation = {
  orderId: 'o1', status: 'RESERVED', items: [{ productId: 'p1', quantity: 2 }],
  createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z',
};
const reserve = (store: InventoryStore) => reserveStock(store, { orderId: 'o1', items: [{ productId: 'p1', quantity: 1 }], correlationId: 'c' });
const transient = expect.objectContaining({ name: SagaError.Transient });

describe('reserveStock', () => {
  it('fails with TransientError at once when its transaction loses to a concurrent one', async () => {
    const { store, writes } = scriptedStore(['lostRace'], { stock });
    await expect(reserve(store)).rejects.toEqual(transient);
    expect(writes()).toBe(1);
  });

  it('reads again when the stock changed since it was read, and succeeds', async () => {
    const { store, writes } = scriptedStore(['stockChanged', 'stockChanged'], { stock });
    await expect(reserve(store)).resolves.toEqual({ orderId: 'o1', outcome: 'RESERVED' });
    expect(writes()).toBe(3);
  });

  it('gives up with TransientError after a bounded number of attempts', async () => {
    const { store, writes } = scriptedStore(Array(MAX_WRITE_ATTEMPTS).fill('stockChanged'), { stock });
    await expect(reserve(store)).rejects.toEqual(transient);
    expect(writes()).toBe(MAX_WRITE_ATTEMPTS);
  });

  it('fails with OutOfStock after recording the rejection', async () => {
    const { store, writes } = scriptedStore([], { stock: { ...stock, available: 0 } });
    await expect(reserve(store)).rejects.toEqual(expect.objectContaining({ name: SagaError.OutOfStock }));
    expect(writes()).toBe(1);
  });
});

describe('settling a reservation', () => {
  it('answers from the reservation as it is when another call settled it first', async () => {
    const state = { reservation: reserved };
    const { store } = scriptedStore(['reservationChanged'], state);
    const answer = commitStock(store, 'o1');
    state.reservation = { ...reserved, status: 'RELEASED' };
    await expect(answer).resolves.toEqual({ orderId: 'o1', outcome: 'RELEASED' });
  });

  it('fails with TransientError when its transaction loses to a concurrent one', async () => {
    const { store } = scriptedStore(['lostRace'], { reservation: reserved });
    await expect(releaseStock(store, 'o1', 'PAYMENT_DECLINED', 'c')).rejects.toEqual(transient);
  });

  it('fails as a fault, not a retryable error, when the stock no longer holds the reserved units', async () => {
    const { store } = scriptedStore(['stockChanged'], { reservation: reserved });
    const failure = commitStock(store, 'o1');
    await expect(failure).rejects.toThrow('do not hold');
    await expect(failure).rejects.not.toEqual(transient);
  });
});

describe('restock', () => {
  it('reads again after a concurrent change, then answers 409 once the attempts are spent', async () => {
    const { store, writes } = scriptedStore(['stockChanged', 'lostRace'], { stock });
    await expect(restock(store, 'p1', 5, 'c')).resolves.toMatchObject({ available: 15, reserved: 2 });
    expect(writes()).toBe(3);

    const busy = scriptedStore(Array(MAX_WRITE_ATTEMPTS).fill('lostRace'), { stock });
    await expect(restock(busy.store, 'p1', 5, 'c')).rejects.toMatchObject({ status: 409, code: 'concurrent-update', message: "The product's stock is being changed by other requests; try again" });
  });
});
