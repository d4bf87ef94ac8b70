import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CPU_WINDOW_MS, EnvironmentPool, HOLD_LIMIT, MAX_HOLD_MS, type CpuProbe } from '../../../local/lambda/environment-pool';
import type { ExecutionEnvironment, InvocationOutcome, InvocationRequest } from '../../../local/lambda/execution-environment';

const PATIENCE_MS = 100;
const REQUEST: InvocationRequest = { requestId: 'r', eventJson: '{}', invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f' };

/** An environment that is ready at once and holds every invocation until the test ends it. */
function fakeEnvironment(): ExecutionEnvironment {
  return {
    alive: true,
    initialized: Promise.resolve(undefined),
    invoke: () => new Promise<InvocationOutcome>(() => undefined),
    terminate: async () => undefined,
  } as unknown as ExecutionEnvironment;
}

/** Two cores idle for `idleShare` of the (fake) time that passes between readings. */
function twoCores(): CpuProbe & { idleShare: number } {
  let idle = 0;
  let total = 0;
  let last = Date.now();
  return {
    cores: 2,
    idleShare: 1,
    read() {
      const elapsed = 2 * (Date.now() - last);
      last = Date.now();
      total += elapsed;
      idle += elapsed * this.idleShare;
      return { idle, total };
    },
  };
}

/** One environment eagerly, up to five; the first invocation holds it, the second waits. */
function heldPool(cpu: CpuProbe, patienceMs = PATIENCE_MS): EnvironmentPool {
  const pool = new EnvironmentPool(fakeEnvironment, { max: 5, eager: 1, patienceMs, cpu });
  void pool.run(REQUEST);
  void pool.run(REQUEST);
  return pool;
}

describe('EnvironmentPool: an environment past the eager ones', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts once none has freed up for the patience and the machine then has CPU to spare', async () => {
    const cpu = twoCores();
    let reads = 0;
    const read = cpu.read.bind(cpu);
    cpu.read = () => (reads++, read());
    const pool = heldPool(cpu);
    await vi.advanceTimersByTimeAsync(PATIENCE_MS - 10);
    expect(pool.size).toBe(1);
    // Until the patience is up the machine is not asked.
    expect(reads).toBe(0);
    await vi.advanceTimersByTimeAsync(10 + CPU_WINDOW_MS + 10);
    expect(pool.size).toBe(2);
  });

  it('waits while the machine has no CPU to spare (less than half a core idle), then starts once it has', async () => {
    const cpu = twoCores();
    cpu.idleShare = 0.2; // 0.4 of a core
    const pool = heldPool(cpu);
    await vi.advanceTimersByTimeAsync(3 * PATIENCE_MS);
    expect(pool.size).toBe(1);
    cpu.idleShare = 0.3; // 0.6 of a core
    await vi.advanceTimersByTimeAsync(CPU_WINDOW_MS + 10);
    expect(pool.size).toBe(2);
  });

  it('starts after HOLD_LIMIT patiences without progress however busy the machine is: a function waiting on itself is never held for ever', async () => {
    const cpu = twoCores();
    cpu.idleShare = 0;
    const pool = heldPool(cpu);
    await vi.advanceTimersByTimeAsync(HOLD_LIMIT * PATIENCE_MS - 10);
    expect(pool.size).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(pool.size).toBe(2);
  });

  it('holds a long patience at most MAX_HOLD_MS past it', async () => {
    const cpu = twoCores();
    cpu.idleShare = 0;
    const patienceMs = MAX_HOLD_MS;
    expect(HOLD_LIMIT * patienceMs).toBeGreaterThan(patienceMs + MAX_HOLD_MS);
    const pool = heldPool(cpu, patienceMs);
    await vi.advanceTimersByTimeAsync(patienceMs + MAX_HOLD_MS - 10);
    expect(pool.size).toBe(1);
    await vi.advanceTimersByTimeAsync(20);
    expect(pool.size).toBe(2);
  });
});

/** Environments that answer at once, each numbered, recording which were terminated. */
function answeringEnvironments() {
  const started: string[] = [];
  const terminated: string[] = [];
  const create = () => {
    const id = `env-${started.length + 1}`;
    started.push(id);
    return {
      alive: true,
      initialized: Promise.resolve(undefined),
      invoke: async (): Promise<InvocationOutcome> => ({ ok: true, payloadJson: JSON.stringify(id) }),
      terminate: async () => void terminated.push(id),
    } as unknown as ExecutionEnvironment;
  };
  return { create, started, terminated };
}

const servedBy = async (pool: EnvironmentPool) => {
  const outcome = await pool.run(REQUEST);
  return outcome.ok ? JSON.parse(outcome.payloadJson) as string : outcome.error.errorMessage;
};

describe('EnvironmentPool: idle environments', () => {
  const IDLE_MS = 60_000;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('stops an environment idle for idleMs, as Lambda reclaims them: the next invocation starts a new one', async () => {
    const { create, started, terminated } = answeringEnvironments();
    const pool = new EnvironmentPool(create, { max: 2, idleMs: IDLE_MS });
    expect(await servedBy(pool)).toBe('env-1');
    await vi.advanceTimersByTimeAsync(IDLE_MS - 10);
    expect(terminated).toEqual([]);
    expect(await servedBy(pool)).toBe('env-1');
    // Its idle time starts again at each invocation.
    await vi.advanceTimersByTimeAsync(IDLE_MS - 10);
    expect(terminated).toEqual([]);
    await vi.advanceTimersByTimeAsync(20);
    expect(terminated).toEqual(['env-1']);
    expect(pool.size).toBe(0);
    expect(await servedBy(pool)).toBe('env-2');
    expect(started).toEqual(['env-1', 'env-2']);
  });

  it('stops only the environments idle long enough, the coldest first, and keeps reusing the warmest', async () => {
    const { create, terminated } = answeringEnvironments();
    const pool = new EnvironmentPool(create, { max: 2, idleMs: IDLE_MS });
    // Two at once: two environments.
    await Promise.all([servedBy(pool), servedBy(pool)]);
    expect(pool.size).toBe(2);
    await vi.advanceTimersByTimeAsync(IDLE_MS / 2);
    // One invocation: the warmest serves it, the other stays idle since the start.
    await servedBy(pool);
    await vi.advanceTimersByTimeAsync(IDLE_MS / 2 + 10);
    expect(terminated).toHaveLength(1);
    expect(pool.size).toBe(1);
    await vi.advanceTimersByTimeAsync(IDLE_MS / 2);
    expect(terminated).toHaveLength(2);
    expect(pool.size).toBe(0);
  });

  it('stops no environment after the pool is stopped, and leaves none running', async () => {
    const { create, terminated } = answeringEnvironments();
    const pool = new EnvironmentPool(create, { max: 2, idleMs: IDLE_MS });
    await servedBy(pool);
    await pool.stop();
    expect(terminated).toEqual(['env-1']);
    await vi.advanceTimersByTimeAsync(2 * IDLE_MS);
    expect(terminated).toEqual(['env-1']);
  });
});
