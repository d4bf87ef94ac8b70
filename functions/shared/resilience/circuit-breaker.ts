export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** The call was not made: the circuit is open (or its one half-open trial is already under way). */
export class CircuitOpenError extends Error {
  constructor(readonly circuit: string) {
    super(`The circuit of ${circuit} is open`);
    this.name = 'CircuitOpenError';
  }
}

export interface CircuitStateChange {
  readonly circuit: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
}

/**
 * What a call's error says about the dependency. `failure`: it is unwell. `success`: it answered
 * soundly, if with a no (a 404 says it works). `ignore`: nothing about it (say, the caller's own
 * doing): the call is not recorded at all.
 */
export type ErrorVerdict = 'failure' | 'success' | 'ignore';

export interface CircuitBreakerOptions {
  /** The dependency the circuit protects, for errors and logs. */
  readonly name: string;
  /** The share of failed calls (0 < rate ≤ 1), among those recorded within `windowMs`, that opens a closed circuit. */
  readonly failureRateThreshold: number;
  /**
   * How many calls the window must hold before its failure rate counts. Set it above the attempts
   * one request can make, so that no single request can open the circuit for everybody.
   */
  readonly minimumCalls: number;
  /** How far back (in milliseconds) a closed circuit remembers outcomes. */
  readonly windowMs: number;
  /** How long an open circuit fails fast before it lets one trial call through. */
  readonly coolDownMs: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** What an error says about the dependency. @default every error is a failure */
  readonly classify?: (error: unknown) => ErrorVerdict;
  readonly onStateChange?: (change: CircuitStateChange) => void;
}

/** Slices of the window: memory stays bounded however many calls the dependency gets. */
const SLICES = 10;

/** Outcomes of (about) the last `windowMs`, counted per slice of the window. */
class SlidingWindow {
  readonly #sliceMs: number;
  #slices: { slot: number; calls: number; failures: number }[] = [];

  constructor(windowMs: number) {
    this.#sliceMs = windowMs / SLICES;
  }

  record(now: number, failed: boolean): void {
    const slot = this.#evict(now);
    let current = this.#slices.at(-1);
    if (current?.slot !== slot) this.#slices.push((current = { slot, calls: 0, failures: 0 }));
    current.calls += 1;
    if (failed) current.failures += 1;
  }

  totals(now: number): { calls: number; failures: number } {
    this.#evict(now);
    return this.#slices.reduce((sum, slice) => ({ calls: sum.calls + slice.calls, failures: sum.failures + slice.failures }), { calls: 0, failures: 0 });
  }

  clear(): void {
    this.#slices = [];
  }

  /** Drops the slices that have left the window; returns the current slot. */
  #evict(now: number): number {
    const slot = Math.floor(now / this.#sliceMs);
    this.#slices = this.#slices.filter((slice) => slice.slot > slot - SLICES);
    return slot;
  }
}

/**
 * CLOSED: calls go through; once the window holds `minimumCalls` recorded calls, a failure rate
 * of `failureRateThreshold` or more opens the circuit.
 * OPEN: calls fail fast with CircuitOpenError for `coolDownMs`, sparing the dependency and the caller's time.
 * HALF_OPEN: one trial call goes through (the others still fail fast); its success closes the
 * circuit, its failure opens it again for another cool-down, an ignored outcome leaves the
 * next call to be the trial.
 * Outcomes of calls that were in flight when the circuit left CLOSED are not recorded: only the
 * trial decides. The state is plain memory, so it lives as long as the execution environment.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  readonly #window: SlidingWindow;
  #state: CircuitState = 'CLOSED';
  #openedAt = 0;
  #trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    const { failureRateThreshold: rate, minimumCalls, windowMs, coolDownMs } = options;
    if (!(rate > 0 && rate <= 1) || !(minimumCalls >= 1) || !(windowMs > 0) || !(coolDownMs >= 0)) {
      throw new RangeError(`Invalid circuit breaker options for ${options.name}`);
    }
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#window = new SlidingWindow(windowMs);
  }

  /** The state now: an open circuit whose cool-down has passed is half-open. */
  get state(): CircuitState {
    if (this.#state === 'OPEN' && this.#now() - this.#openedAt >= this.#options.coolDownMs) this.#moveTo('HALF_OPEN');
    return this.#state;
  }

  async execute<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'OPEN' || (state === 'HALF_OPEN' && this.#trialInFlight)) throw new CircuitOpenError(this.#options.name);
    const trial = state === 'HALF_OPEN';
    if (trial) this.#trialInFlight = true;
    try {
      const result = await call();
      this.#settle(trial, 'success');
      return result;
    } catch (error) {
      this.#settle(trial, this.#options.classify?.(error) ?? 'failure');
      throw error;
    } finally {
      if (trial) this.#trialInFlight = false;
    }
  }

  #settle(trial: boolean, verdict: ErrorVerdict): void {
    if (verdict === 'ignore') return;
    if (trial) {
      if (verdict === 'success') this.#moveTo('CLOSED');
      else this.#open();
      return;
    }
    if (this.#state !== 'CLOSED') return;
    const now = this.#now();
    this.#window.record(now, verdict === 'failure');
    if (verdict === 'success') return;
    const { calls, failures } = this.#window.totals(now);
    if (calls >= this.#options.minimumCalls && failures / calls >= this.#options.failureRateThreshold) this.#open();
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#moveTo('OPEN');
  }

  #moveTo(to: CircuitState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    // Each time the circuit closes it counts afresh: nothing from before the outage lingers.
    this.#window.clear();
    this.#options.onStateChange?.({ circuit: this.#options.name, from, to });
  }
}
