/**
 * The execution environments of one function, scaled like Lambda's: an invocation takes a warm
 * idle environment if there is one, else a new one is started (cold start), up to a cap; beyond
 * the cap invocations wait in line instead of being throttled.
 */
import type { ExecutionEnvironment, InvocationOutcome, InvocationRequest } from './execution-environment';

interface Waiter {
  readonly resolve: (environment: ExecutionEnvironment) => void;
  readonly reject: (error: Error) => void;
}

export class EnvironmentPool {
  private readonly all = new Set<ExecutionEnvironment>();
  /** Most recently used last: the warmest environment is reused first. */
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly waiting: Waiter[] = [];
  /** Environments still in their init phase. */
  private starting = 0;
  private stopped = false;

  /**
   * @param create starts a new environment; it must call {@link EnvironmentPool.forget} when the
   *   environment's thread exits.
   */
  constructor(
    private readonly create: () => ExecutionEnvironment,
    private readonly maxEnvironments: number,
  ) {}

  get size(): number {
    return this.all.size;
  }

  /** @param patient an asynchronous invocation: it waits for an environment that is starting rather than start another. */
  async run(request: InvocationRequest, patient = false): Promise<InvocationOutcome> {
    const environment = await this.acquire(patient);
    try {
      return await environment.invoke(request);
    } finally {
      this.release(environment);
    }
  }

  /** Drops an environment whose thread exited (idle crash, timeout, init error). */
  forget(environment: ExecutionEnvironment): void {
    this.all.delete(environment);
    const index = this.idle.indexOf(environment);
    if (index >= 0) this.idle.splice(index, 1);
  }

  /** Rejects waiting invocations and terminates every environment. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('the Lambda service is stopping'));
    this.idle.length = 0;
    await Promise.all([...this.all].map((environment) => environment.terminate()));
    this.all.clear();
  }

  private acquire(patient: boolean): Promise<ExecutionEnvironment> {
    if (this.stopped) return Promise.reject(new Error('the Lambda service is stopped'));
    let warm = this.idle.pop();
    // Bounded by the idle list: skip environments that died since they were released.
    while (warm && !warm.alive) {
      this.all.delete(warm);
      warm = this.idle.pop();
    }
    if (warm) return Promise.resolve(warm);
    const wait = patient && this.starting > 0;
    if (!wait && this.all.size < this.maxEnvironments) return Promise.resolve(this.start());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
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
    if (next) next.resolve(environment);
    else this.idle.push(environment);
  }

  private start(): ExecutionEnvironment {
    const environment = this.create();
    this.all.add(environment);
    this.starting++;
    void environment.initialized.then(() => {
      this.starting--;
      this.rampUp();
    });
    return environment;
  }

  /** A backlog left once no environment is starting gets one more (its invocation waits for the init). */
  private rampUp(): void {
    if (this.stopped || this.starting > 0 || this.all.size >= this.maxEnvironments) return;
    const next = this.waiting.shift();
    if (next) next.resolve(this.start());
  }
}
