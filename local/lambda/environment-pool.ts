/**
 * The execution environments of one function, scaled like Lambda's: an invocation takes a warm
 * idle environment if there is one, else a new one is started (cold start), up to a cap; beyond
 * the cap invocations wait in line instead of being throttled.
 *
 * Offline, one more limit (`eager`): past that many environments, an invocation that finds them
 * all busy waits for one to free up, and the pool adds an environment only once none has freed up
 * for `patienceMs`. On AWS every environment has CPU of its own; here they share the machine's few
 * cores, so environments that keep ending invocations are already using all the CPU there is, and
 * each new one is a V8 isolate that loads, compiles and optimizes the function apart: at 16
 * concurrent reads on 2 cores, ten environments spent half as much CPU again per request as two.
 * Environments that end nothing for a while are waiting (on I/O, a slow dependency, the function
 * invoking itself), and then more of them help, as on AWS. "A while" is at least `patienceMs` and
 * at least twice what the pool's recent inits and invocations took: on a loaded machine a read
 * may take a hundred milliseconds and an environment's first one more, which is not a stall.
 * Nor is a wait while the machine has no CPU to spare: then the busy environments wait for the
 * CPU (DynamoDB Local's, each other's), and a new one would only compete for it with a cold
 * start and a V8 isolate of its own: under 16 buyers' orders on 2 cores shared with other work
 * the pools started 1 to 16 environments in 30 s that way, and the functions' threads spent 48.6
 * ms of CPU per confirmed order against 41.1 without them (five interleaved pairs). Past
 * `HOLD_LIMIT` patiences without progress (at most `MAX_HOLD_MS` past the first) the pool grows
 * anyway, so a function waiting on itself never waits for ever.
 *
 * An environment left idle for `idleMs` is stopped, as Lambda reclaims idle environments: a
 * long-running `npm start` keeps only what its recent load needed, not a V8 isolate for every
 * environment any burst ever started.
 */
import { cpus } from 'node:os';
import type { ExecutionEnvironment, InvocationOutcome, InvocationRequest } from './execution-environment';

interface Waiter {
  readonly resolve: (environment: ExecutionEnvironment) => void;
  readonly reject: (error: Error) => void;
}

export interface PoolLimits {
  /** Environments at most (the service's cap, or the function's reserved concurrency). */
  readonly max: number;
  /** Environments started for concurrent invocations without waiting first (see above). Default: `max`, Lambda's own scaling. */
  readonly eager?: number;
  /** How long waiting invocations see no environment free up before the pool adds one past `eager`. */
  readonly patienceMs?: number;
  /** The machine's CPU, read to tell a stall from a busy machine. Default: this machine's cores. */
  readonly cpu?: CpuProbe;
  /** How long an environment may sit idle before it is stopped. Default: {@link DEFAULT_IDLE_MS}. */
  readonly idleMs?: number;
}

/** A few of a read's invocations on a loaded machine; less than a cold start of a small bundle. */
export const DEFAULT_PATIENCE_MS = 200;

/** Lambda stops an idle environment after some minutes (the time is not documented and varies). */
export const DEFAULT_IDLE_MS = 10 * 60_000;

/** A stall this many patiences long adds an environment even when the machine's CPU is busy... */
export const HOLD_LIMIT = 5;
/** ...or this much longer than the patience, if that comes first (a slow function's patience is long). */
export const MAX_HOLD_MS = 2_000;

/** How long a stall's CPU is watched before the pool decides whether the machine has any to spare. */
export const CPU_WINDOW_MS = 100;

/** The machine's CPU time so far, all cores together (ms), and how much of it was idle. */
export interface CpuTimes {
  readonly idle: number;
  readonly total: number;
}

/** Where the pool reads the machine's CPU times: the cores' counters, or a test's. */
export interface CpuProbe {
  readonly cores: number;
  read(): CpuTimes;
}

export const machineCpu: CpuProbe = {
  cores: Math.max(1, cpus().length),
  read() {
    let idle = 0;
    let total = 0;
    for (const { times } of cpus()) {
      idle += times.idle;
      total += times.user + times.nice + times.sys + times.idle + times.irq;
    }
    return { idle, total };
  },
};

/** Whether the CPU left idle between two readings adds up to half a core at least: room for one more environment. */
function hasSpareCpu(probe: CpuProbe, before: CpuTimes, after: CpuTimes): boolean {
  const elapsed = after.total - before.total;
  // No tick counted in between (a coarse clock): nothing says the CPU is busy.
  if (elapsed <= 0) return true;
  return ((after.idle - before.idle) / elapsed) * probe.cores >= 0.5;
}

export class EnvironmentPool {
  private readonly all = new Set<ExecutionEnvironment>();
  /**
   * The idle environments and when each became idle (epoch ms), most recently used last: the
   * warmest is reused first, the coldest stopped first.
   */
  private readonly idle: { readonly environment: ExecutionEnvironment; readonly since: number }[] = [];
  private readonly idleMs: number;
  private reclaimTimer: NodeJS.Timeout | undefined;
  private readonly waiting: Waiter[] = [];
  /** Environments still in their init phase. */
  private starting = 0;
  private stopped = false;
  private readonly max: number;
  private readonly eager: number;
  private readonly patienceMs: number;
  private readonly cpu: CpuProbe;
  /** When an invocation last ended or an environment last became ready (epoch ms). */
  private lastProgress = Date.now();
  /** The longest recent init or invocation (ms), decaying by a fifth at each one that ends. */
  private recentSlowestMs = 0;
  private growTimer: NodeJS.Timeout | undefined;
  /** The machine's CPU times when this stall's last look at them was taken (none before the patience is up). */
  private cpuAtStall: CpuTimes | undefined;

  /**
   * @param create starts a new environment; it must call {@link EnvironmentPool.forget} when the
   *   environment's thread exits.
   */
  constructor(
    private readonly create: () => ExecutionEnvironment,
    limits: PoolLimits,
  ) {
    this.max = Math.max(1, limits.max);
    this.eager = Math.max(1, Math.min(this.max, limits.eager ?? this.max));
    this.patienceMs = limits.patienceMs ?? DEFAULT_PATIENCE_MS;
    this.cpu = limits.cpu ?? machineCpu;
    this.idleMs = limits.idleMs ?? DEFAULT_IDLE_MS;
  }

  get size(): number {
    return this.all.size;
  }

  /** @param patient an asynchronous invocation: it waits for an environment that is starting rather than start another. */
  async run(request: InvocationRequest, patient = false): Promise<InvocationOutcome> {
    const environment = this.idleEnvironment() ?? (await this.acquire(patient));
    const began = Date.now();
    try {
      return await environment.invoke(request);
    } finally {
      this.progressed(began);
      this.release(environment);
    }
  }

  /** Drops an environment whose thread exited (idle crash, timeout, init error). */
  forget(environment: ExecutionEnvironment): void {
    this.all.delete(environment);
    const index = this.idle.findIndex((entry) => entry.environment === environment);
    if (index >= 0) this.idle.splice(index, 1);
  }

  /** Rejects waiting invocations and terminates every environment. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.growTimer);
    clearTimeout(this.reclaimTimer);
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('the Lambda service is stopping'));
    this.idle.length = 0;
    await Promise.all([...this.all].map((environment) => environment.terminate()));
    this.all.clear();
  }

  /** The warmest idle environment still alive, if any (bounded by the idle list: the dead are dropped). */
  private idleEnvironment(): ExecutionEnvironment | undefined {
    if (this.stopped) return undefined;
    let warm = this.idle.pop()?.environment;
    while (warm && !warm.alive) {
      this.all.delete(warm);
      warm = this.idle.pop()?.environment;
    }
    return warm;
  }

  private acquire(patient: boolean): Promise<ExecutionEnvironment> {
    if (this.stopped) return Promise.reject(new Error('the Lambda service is stopped'));
    const wait = patient && this.starting > 0;
    if (!wait && this.all.size < this.eager) return Promise.resolve(this.start());
    const waiting = new Promise<ExecutionEnvironment>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.watchForStall();
    return waiting;
  }

  /** An invocation or init that began at `began` ended now. */
  private progressed(began: number): void {
    this.lastProgress = Date.now();
    this.recentSlowestMs = Math.max(this.lastProgress - began, this.recentSlowestMs * 0.8);
  }

  private release(environment: ExecutionEnvironment): void {
    if (!environment.alive) {
      this.forget(environment);
      // Its slot is free again: the next in line gets a fresh environment.
      const next = this.waiting.shift();
      if (next && !this.stopped) next.resolve(this.start());
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      next.resolve(environment);
      return;
    }
    this.idle.push({ environment, since: Date.now() });
    this.scheduleReclaim();
  }

  /** A timer for when the coldest idle environment will have been idle for `idleMs`. */
  private scheduleReclaim(): void {
    const coldest = this.idle[0];
    if (this.reclaimTimer || this.stopped || !coldest) return;
    const due = coldest.since + this.idleMs - Date.now();
    this.reclaimTimer = setTimeout(() => {
      this.reclaimTimer = undefined;
      this.reclaimIdle();
      this.scheduleReclaim();
    }, Math.max(1, due));
    // An idle pool must not keep the process alive.
    this.reclaimTimer.unref();
  }

  /** Stops the environments idle for `idleMs` or longer (the coldest are first in the idle list). */
  private reclaimIdle(): void {
    const now = Date.now();
    while (this.idle.length > 0 && now - this.idle[0]!.since >= this.idleMs) {
      const { environment } = this.idle.shift()!;
      this.all.delete(environment);
      void environment.terminate();
    }
  }

  private start(): ExecutionEnvironment {
    const environment = this.create();
    const began = Date.now();
    this.all.add(environment);
    this.starting++;
    void environment.initialized.then(() => {
      this.starting--;
      this.progressed(began);
      this.rampUp();
      this.watchForStall();
    });
    return environment;
  }

  /** A backlog left once no environment is starting gets one more (its invocation waits for the init). */
  private rampUp(): void {
    if (this.stopped || this.starting > 0 || this.all.size >= this.eager) return;
    const next = this.waiting.shift();
    if (next) next.resolve(this.start());
  }

  /** Whether the machine had CPU to spare since the last look in this stall; the first look only takes the reading. */
  private spareCpuSinceLastLook(): boolean {
    const before = this.cpuAtStall;
    this.cpuAtStall = this.cpu.read();
    return before !== undefined && hasSpareCpu(this.cpu, before, this.cpuAtStall);
  }

  /** Whether invocations wait only because of `eager`: the pool is at it and could grow to `max`. */
  private heldByEager(): boolean {
    return !this.stopped && this.waiting.length > 0 && this.all.size >= this.eager && this.all.size < this.max;
  }

  /**
   * While invocations wait because of `eager`: once no environment has freed up (or become ready)
   * for the patience (see above), none is starting and the machine then has CPU to spare (over
   * `CPU_WINDOW_MS`), one more starts for the first in line; after `HOLD_LIMIT` patiences (at most
   * `MAX_HOLD_MS` past the first), whatever the CPU.
   */
  private watchForStall(): void {
    // An environment that is starting watches again once it is ready (see start).
    if (this.growTimer || this.starting > 0 || !this.heldByEager()) return;
    const patience = Math.max(this.patienceMs, 2 * this.recentSlowestMs);
    const holdMs = Math.min(HOLD_LIMIT * patience, patience + MAX_HOLD_MS);
    const stalledMs = Date.now() - this.lastProgress;
    if (stalledMs < patience) this.cpuAtStall = undefined;
    // Before the patience is up, wait for it; past it, read the CPU over a short window (read only
    // then: a pool that keeps progressing never asks the machine).
    const due = stalledMs < patience ? patience - stalledMs : Math.min(CPU_WINDOW_MS, holdMs - stalledMs);
    this.growTimer = setTimeout(() => {
      this.growTimer = undefined;
      if (this.starting > 0 || !this.heldByEager()) return;
      const stalled = Date.now() - this.lastProgress;
      if (stalled >= holdMs || (stalled >= patience && this.spareCpuSinceLastLook())) {
        this.lastProgress = Date.now();
        this.cpuAtStall = undefined;
        this.waiting.shift()!.resolve(this.start());
      }
      this.watchForStall();
    }, Math.max(1, due));
    // Waiting invocations keep the process busy anyway; the timer alone must not.
    this.growTimer.unref();
  }
}
