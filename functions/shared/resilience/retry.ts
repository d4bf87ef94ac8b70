export interface RetryPolicy {
  /** Attempts after the first one. */
  readonly maxRetries: number;
  /** The backoff ceiling of the first retry; it doubles with each further retry. */
  readonly baseDelayMs: number;
  /** The backoff ceiling never grows beyond this. */
  readonly maxDelayMs: number;
}

export interface RetryOptions {
  readonly policy: RetryPolicy;
  /** Whether an attempt's error is worth another attempt; anything else ends the retries at once. */
  readonly isRetryable: (error: unknown) => boolean;
  /** Epoch milliseconds after which no attempt starts and no backoff is slept. */
  readonly deadline: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The overall deadline passed before an attempt could start. */
export class DeadlineExceededError extends Error {
  constructor() {
    super('The deadline passed before the call could be attempted');
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Statuses worth another try: the dependency failed (5xx) or asked us to slow down (429).
 * Any other 4xx is the same answer the next time.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * The wait before retry number `retry` (1-based): exponential backoff with full jitter, uniform
 * in [0, min(maxDelay, base · 2^(retry-1))). Full jitter spreads the retries of many callers that
 * failed together, instead of having them hit the recovering dependency in lock-step.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

const timer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, its error is not retryable, the retries are spent, or the
 * next backoff would end past the deadline; then the last error is thrown. Only for idempotent
 * calls. Each attempt is told how much of the deadline is left, to bound its own timeout.
 */
export async function retrying<T>(attempt: (remainingMs: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy, isRetryable, deadline, now = Date.now, random = Math.random, sleep = timer } = options;
  for (let retry = 0; ; retry += 1) {
    const remainingMs = deadline - now();
    if (remainingMs <= 0) throw new DeadlineExceededError();
    try {
      return await attempt(remainingMs);
    } catch (error) {
      if (retry >= policy.maxRetries || !isRetryable(error)) throw error;
      const delay = backoffDelay(retry + 1, policy, random);
      if (now() + delay >= deadline) throw error;
      await sleep(delay);
    }
  }
}
