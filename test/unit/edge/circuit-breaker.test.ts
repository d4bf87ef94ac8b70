import { describe, expect, it, vi } from 'vitest';
import {
  CircuitBreaker, CircuitOpenError, type CircuitBreakerOptions, type CircuitStateChange,
} from '../../../functions/edge/dashboard/resilience/circuit-breaker';

const COOL_DOWN = 10_000;

/** A breaker on a clock the test moves by hand: no sleeping. */
function breaker(options: Partial<CircuitBreakerOptions> = {}) {
  const clock = { now: 1_000_000 };
  const changes: CircuitStateChange[] = [];
  const circuit = new CircuitBreaker({
    name: 'orders', failureThreshold: 3, coolDownMs: COOL_DOWN,
    now: () => clock.now, onStateChange: (change) => changes.push(change), ...options,
  });
  return {
    circuit, changes,
    advance: (ms: number) => { clock.now += ms; },
    succeed: () => circuit.execute(async () => 'ok'),
    fail: () => circuit.execute(async () => { throw new Error('down'); }).catch((error: unknown) => error),
  };
}

async function opened() {
  const b = breaker();
  for (let i = 0; i < 3; i += 1) await b.fail();
  return b;
}

describe('CircuitBreaker: CLOSED', () => {
  it('starts closed and passes calls and their results through', async () => {
    const { circuit, succeed } = breaker();
    expect(circuit.state).toBe('CLOSED');
    await expect(succeed()).resolves.toBe('ok');
  });

  it('rethrows the call\'s own error', async () => {
    const { fail } = breaker();
    expect(await fail()).toEqual(new Error('down'));
  });

  it('stays closed below the threshold of consecutive failures', async () => {
    const { circuit, fail } = breaker();
    await fail();
    await fail();
    expect(circuit.state).toBe('CLOSED');
  });

  it('counts consecutive failures only: a success in between starts the count again', async () => {
    const { circuit, fail, succeed } = breaker();
    await fail();
    await fail();
    await succeed();
    await fail();
    await fail();
    expect(circuit.state).toBe('CLOSED');
    await fail();
    expect(circuit.state).toBe('OPEN');
  });

  it('opens at the threshold', async () => {
    const { circuit, changes } = await opened();
    expect(circuit.state).toBe('OPEN');
    expect(changes).toEqual([{ circuit: 'orders', from: 'CLOSED', to: 'OPEN' }]);
  });

  it('leaves errors that are not failures out of the count', async () => {
    const { circuit } = breaker({ isFailure: (error) => (error as Error).message !== 'not found' });
    for (let i = 0; i < 5; i += 1) await circuit.execute(async () => { throw new Error('not found'); }).catch(() => {});
    expect(circuit.state).toBe('CLOSED');
  });
});

describe('CircuitBreaker: OPEN', () => {
  it('fails fast with CircuitOpenError, without making the call', async () => {
    const { circuit } = await opened();
    const call = vi.fn(async () => 'ok');
    const error = await circuit.execute(call).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect((error as CircuitOpenError).circuit).toBe('orders');
    expect(call).not.toHaveBeenCalled();
  });

  it('stays open until the cool-down has fully passed', async () => {
    const { circuit, advance } = await opened();
    advance(COOL_DOWN - 1);
    expect(circuit.state).toBe('OPEN');
    await expect(circuit.execute(async () => 'ok')).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('turns half-open once the cool-down has passed', async () => {
    const { circuit, advance, changes } = await opened();
    advance(COOL_DOWN);
    expect(circuit.state).toBe('HALF_OPEN');
    expect(changes.at(-1)).toEqual({ circuit: 'orders', from: 'OPEN', to: 'HALF_OPEN' });
  });
});

describe('CircuitBreaker: HALF_OPEN', () => {
  it('lets a trial through; its success closes the circuit', async () => {
    const { circuit, advance, succeed, changes } = await opened();
    advance(COOL_DOWN);
    await expect(succeed()).resolves.toBe('ok');
    expect(circuit.state).toBe('CLOSED');
    expect(changes.map(({ to }) => to)).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
  });

  it('closes with a fresh count: it takes the full threshold to open again', async () => {
    const { circuit, advance, succeed, fail } = await opened();
    advance(COOL_DOWN);
    await succeed();
    await fail();
    await fail();
    expect(circuit.state).toBe('CLOSED');
  });

  it('reopens on a failed trial, for a whole new cool-down', async () => {
    const { circuit, advance, fail, changes } = await opened();
    advance(COOL_DOWN);
    await fail();
    expect(circuit.state).toBe('OPEN');
    advance(COOL_DOWN - 1);
    expect(circuit.state).toBe('OPEN');
    advance(1);
    expect(circuit.state).toBe('HALF_OPEN');
    expect(changes.map(({ to }) => to)).toEqual(['OPEN', 'HALF_OPEN', 'OPEN', 'HALF_OPEN']);
  });

  it('lets only one trial through at a time', async () => {
    const { circuit, advance } = await opened();
    advance(COOL_DOWN);
    let finishTrial: (value: string) => void = () => {};
    const trial = circuit.execute(() => new Promise<string>((resolve) => { finishTrial = resolve; }));
    const second = vi.fn(async () => 'ok');
    await expect(circuit.execute(second)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(second).not.toHaveBeenCalled();
    finishTrial('trial');
    await expect(trial).resolves.toBe('trial');
    expect(circuit.state).toBe('CLOSED');
  });

  it('closes when the trial gets an answer that is not a failure (the dependency is up)', async () => {
    const b = breaker({ isFailure: (error) => (error as Error).message !== 'not found' });
    for (let i = 0; i < 3; i += 1) await b.fail();
    b.advance(COOL_DOWN);
    await b.circuit.execute(async () => { throw new Error('not found'); }).catch(() => {});
    expect(b.circuit.state).toBe('CLOSED');
  });

  it('goes the full round: closed → open → half-open → open → half-open → closed', async () => {
    const { circuit, advance, fail, succeed, changes } = await opened();
    advance(COOL_DOWN);
    await fail();
    advance(COOL_DOWN);
    await succeed();
    expect(circuit.state).toBe('CLOSED');
    expect(changes.map(({ from, to }) => `${from}→${to}`)).toEqual([
      'CLOSED→OPEN', 'OPEN→HALF_OPEN', 'HALF_OPEN→OPEN', 'OPEN→HALF_OPEN', 'HALF_OPEN→CLOSED',
    ]);
  });
});
