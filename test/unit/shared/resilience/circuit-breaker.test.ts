import { describe, expect, it, vi } from 'vitest';
import {
  CircuitBreaker, CircuitOpenError, type CircuitBreakerOptions, type CircuitStateChange,
} from '../../../../functions/shared/resilience/circuit-breaker';

const COOL_DOWN = 10_000;
const WINDOW = 30_000;
const MINIMUM_CALLS = 4;

/** A breaker on a clock the test moves by hand: no sleeping. */
function breaker(options: Partial<CircuitBreakerOptions> = {}) {
  const clock = { now: 1_000_000 };
  const changes: CircuitStateChange[] = [];
  const circuit = new CircuitBreaker({
    name: 'orders', failureRateThreshold: 0.5, minimumCalls: MINIMUM_CALLS, windowMs: WINDOW, coolDownMs: COOL_DOWN,
    now: () => clock.now, onStateChange: (change) => changes.push(change), ...options,
  });
  return {
    circuit, changes,
    advance: (ms: number) => { clock.now += ms; },
    succeed: () => circuit.execute(async () => 'ok'),
    fail: () => circuit.execute(async () => { throw new Error('down'); }).catch((error: unknown) => error),
    /** A call failing with `message`, for the classifier to judge (see `judged`). */
    judge: (message: string) => circuit.execute(async () => { throw new Error(message); }).catch(() => undefined),
  };
}

/** Classifies by message: `not found` is a sound answer, `throttled` says nothing, anything else is a failure. */
const judged: Partial<CircuitBreakerOptions> = {
  classify: (error) => ({ 'not found': 'success', throttled: 'ignore' } as const)[(error as Error).message as 'not found'] ?? 'failure',
};

async function opened(options: Partial<CircuitBreakerOptions> = {}) {
  const b = breaker(options);
  for (let i = 0; i < MINIMUM_CALLS; i += 1) await b.fail();
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

  it('stays closed, however many of them failed, until the window holds the minimum number of calls', async () => {
    const { circuit, fail } = breaker();
    for (let i = 1; i < MINIMUM_CALLS; i += 1) await fail();
    expect(circuit.state).toBe('CLOSED');
  });

  it('opens at the minimum number of calls when all of them failed', async () => {
    const { circuit, changes } = await opened();
    expect(circuit.state).toBe('OPEN');
    expect(changes).toEqual([{ circuit: 'orders', from: 'CLOSED', to: 'OPEN' }]);
  });

  it('opens on a failure that brings the failure rate to the threshold', async () => {
    const { circuit, fail, succeed } = breaker();
    await succeed();
    await fail();
    await succeed();
    expect(circuit.state).toBe('CLOSED');
    await fail();
    expect(circuit.state).toBe('OPEN');
  });

  it('stays closed while the failure rate is below the threshold', async () => {
    const { circuit, fail, succeed } = breaker();
    for (let i = 0; i < 10; i += 1) {
      await succeed();
      await succeed();
      await fail();
    }
    expect(circuit.state).toBe('CLOSED');
  });

  it('forgets outcomes once they have left the window', async () => {
    const { circuit, fail, advance } = breaker();
    for (let i = 1; i < MINIMUM_CALLS; i += 1) await fail();
    advance(WINDOW);
    await fail();
    expect(circuit.state).toBe('CLOSED');
    for (let i = 1; i < MINIMUM_CALLS; i += 1) await fail();
    expect(circuit.state).toBe('OPEN');
  });

  it('counts an error classified as a sound answer as a success', async () => {
    const { circuit, fail, judge } = breaker(judged);
    for (let i = 0; i < 10; i += 1) await judge('not found');
    for (let i = 0; i < 9; i += 1) await fail();
    expect(circuit.state).toBe('CLOSED');
    await fail();
    expect(circuit.state).toBe('OPEN');
  });

  it('does not record an ignored error at all, neither as a call nor as a failure', async () => {
    const { circuit, fail, judge } = breaker(judged);
    for (let i = 0; i < 10; i += 1) await judge('throttled');
    for (let i = 1; i < MINIMUM_CALLS; i += 1) await fail();
    expect(circuit.state).toBe('CLOSED');
    await fail();
    expect(circuit.state).toBe('OPEN');
  });

  it('counts every error as a failure without a classifier', async () => {
    const { circuit, judge } = breaker();
    for (let i = 0; i < MINIMUM_CALLS; i += 1) await judge('not found');
    expect(circuit.state).toBe('OPEN');
  });

  it('refuses options that could never work', () => {
    expect(() => breaker({ failureRateThreshold: 0 })).toThrow(RangeError);
    expect(() => breaker({ failureRateThreshold: 1.5 })).toThrow(RangeError);
    expect(() => breaker({ minimumCalls: 0 })).toThrow(RangeError);
    expect(() => breaker({ windowMs: 0 })).toThrow(RangeError);
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

  it('records nothing from calls that were in flight when it opened: a late success does not close it', async () => {
    const { circuit, fail, succeed, advance, changes } = breaker();
    let finishLate: (value: string) => void = () => {};
    const late = circuit.execute(() => new Promise<string>((resolve) => { finishLate = resolve; }));
    for (let i = 0; i < MINIMUM_CALLS; i += 1) await fail();
    finishLate('late');
    await expect(late).resolves.toBe('late');
    expect(circuit.state).toBe('OPEN');
    advance(COOL_DOWN);
    await succeed();
    expect(changes.map(({ to }) => to)).toEqual(['OPEN', 'HALF_OPEN', 'CLOSED']);
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

  it('closes with a fresh count: it takes the minimum number of calls again to open', async () => {
    const { circuit, advance, succeed, fail } = await opened();
    advance(COOL_DOWN);
    await succeed();
    for (let i = 1; i < MINIMUM_CALLS; i += 1) await fail();
    expect(circuit.state).toBe('CLOSED');
    await fail();
    expect(circuit.state).toBe('OPEN');
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
    const { circuit, advance, judge } = await opened(judged);
    advance(COOL_DOWN);
    await judge('not found');
    expect(circuit.state).toBe('CLOSED');
  });

  it('stays half-open when the trial\'s error is ignored: the next call is the trial', async () => {
    const { circuit, advance, judge, succeed } = await opened(judged);
    advance(COOL_DOWN);
    await judge('throttled');
    expect(circuit.state).toBe('HALF_OPEN');
    await expect(succeed()).resolves.toBe('ok');
    expect(circuit.state).toBe('CLOSED');
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
