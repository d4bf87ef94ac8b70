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

export interface CircuitBreakerOptions {
  /** The dependency the circuit protects, for errors and logs. */
  readonly name: string;
  /** Consecutive failures that open a closed circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit fails fast before it lets one trial call through. */
  readonly coolDownMs: number;
  /** @default Date.now */
  readonly now?: () => number;
  /**
   * Which errors say the dependency is unwell. Others (a 404, say: the dependency answered, and
   * correctly) count as a healthy answer. @default every error
   */
  readonly isFailure?: (error: unknown) => boolean;
  readonly onStateChange?: (change: CircuitStateChange) => void;
}

/**
 * CLOSED: calls go through; `failureThreshold` consecutive failures open the circuit.
 * OPEN: calls fail fast with CircuitOpenError for `coolDownMs`, sparing the dependency and the caller's time.
 * HALF_OPEN: one trial call goes through (the others still fail fast); its success closes the
 * circuit, its failure opens it again for another cool-down.
 * The state is plain memory, so it lives as long as the execution environment that holds it.
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  #state: CircuitState = 'CLOSED';
  #consecutiveFailures = 0;
  #openedAt = 0;
  #trialInFlight = false;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
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
      this.#succeeded();
      return result;
    } catch (error) {
      if (this.#options.isFailure?.(error) ?? true) this.#failed();
      else this.#succeeded();
      throw error;
    } finally {
      if (trial) this.#trialInFlight = false;
    }
  }

  #succeeded(): void {
    this.#consecutiveFailures = 0;
    if (this.#state !== 'CLOSED') this.#moveTo('CLOSED');
  }

  #failed(): void {
    this.#consecutiveFailures += 1;
    if (this.#state === 'HALF_OPEN' || this.#consecutiveFailures >= this.#options.failureThreshold) {
      this.#openedAt = this.#now();
      if (this.#state !== 'OPEN') this.#moveTo('OPEN');
    }
  }

  #moveTo(to: CircuitState): void {
    const from = this.#state;
    this.#state = to;
    // Each state counts afresh: in HALF_OPEN it is the trial alone that decides.
    this.#consecutiveFailures = 0;
    this.#options.onStateChange?.({ circuit: this.#options.name, from, to });
  }
}
