/**
 * API Gateway's request throttling: token buckets (a token per request, refilled at the rate,
 * holding at most the burst).
 *
 * A stage's throttle settings apply at the method level: the stage default (MethodSettings with
 * ResourcePath `/*` and HttpMethod `*`, what CDK's `throttlingRateLimit` / `throttlingBurstLimit`
 * produce) gives every method its own bucket with those limits, and a MethodSettings entry for a
 * specific resource path and/or method overrides them for that method. On top of that every
 * request draws from the account-level bucket of the Region (10,000 rps, burst 5,000).
 */

export interface ThrottleLimits {
  /** Steady-state requests per second (may be fractional; 0 throttles everything). */
  readonly rateLimit: number;
  /** Bucket size: requests admitted at once before the rate applies. */
  readonly burstLimit: number;
}

/** The default per-account, per-Region quota of API Gateway. */
export const ACCOUNT_LIMITS: ThrottleLimits = { rateLimit: 10_000, burstLimit: 5_000 };

/** One MethodSettings entry of a stage, as far as throttling goes. */
export interface MethodThrottleSetting {
  /** A resource path (`/products/{productId}`) or `/*` for every resource. */
  readonly resourcePath: string;
  /** An HTTP method or `*` for every method. */
  readonly httpMethod: string;
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

export type Clock = () => number;

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly limits: ThrottleLimits,
    private readonly now: Clock = Date.now,
  ) {
    this.tokens = limits.burstLimit;
    this.updatedAt = now();
  }

  /** Takes a token if one is left; false means the request is throttled. */
  tryTake(): boolean {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limits.burstLimit, this.tokens + elapsedSeconds * this.limits.rateLimit);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const ANY_PATH = '/*';
const ANY_METHOD = '*';

/** The throttles of one stage. */
export class StageThrottle {
  private readonly account: TokenBucket;
  private readonly methodBuckets = new Map<string, TokenBucket>();

  constructor(
    private readonly settings: readonly MethodThrottleSetting[],
    private readonly now: Clock = Date.now,
    accountLimits: ThrottleLimits = ACCOUNT_LIMITS,
  ) {
    this.account = new TokenBucket(accountLimits, now);
  }

  /**
   * Admits a request to `httpMethod` of `resourcePath`, or undefined for a request that matched no
   * method (only the account bucket applies to it). False means: answer THROTTLED.
   */
  admit(resourcePath: string | undefined, httpMethod: string): boolean {
    if (resourcePath !== undefined) {
      const bucket = this.bucketFor(resourcePath, httpMethod);
      if (!bucket.tryTake()) return false;
    }
    return this.account.tryTake();
  }

  /** The effective limits of one method: the most specific setting that names each dimension. */
  limitsFor(resourcePath: string, httpMethod: string): ThrottleLimits {
    const candidates = [
      [resourcePath, httpMethod],
      [resourcePath, ANY_METHOD],
      [ANY_PATH, httpMethod],
      [ANY_PATH, ANY_METHOD],
    ] as const;
    const matching = candidates
      .map(([path, method]) => this.settings.find((s) => s.resourcePath === path && s.httpMethod === method))
      .filter((s): s is MethodThrottleSetting => s !== undefined);
    const rateLimit = matching.find((s) => s.rateLimit !== undefined)?.rateLimit ?? ACCOUNT_LIMITS.rateLimit;
    const burstLimit = matching.find((s) => s.burstLimit !== undefined)?.burstLimit ?? ACCOUNT_LIMITS.burstLimit;
    return { rateLimit, burstLimit };
  }

  private bucketFor(resourcePath: string, httpMethod: string): TokenBucket {
    const key = `${httpMethod} ${resourcePath}`;
    let bucket = this.methodBuckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limitsFor(resourcePath, httpMethod), this.now);
      this.methodBuckets.set(key, bucket);
    }
    return bucket;
  }
}
