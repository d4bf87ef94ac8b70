/** A closed-loop load: `concurrency` workers each run `operation` back to back for `seconds`. */
import { percentile } from './stats';

export interface LoadResult {
  readonly p50: number;
  readonly p99: number;
  readonly perSecond: number;
  readonly failures: number;
  /** The first failure's message, so a table of failures says why. */
  readonly firstFailure?: string;
}

/**
 * The same load, unmeasured, for `seconds` first: the offline Lambda service scales each function
 * to the concurrency it meets, and the cold starts of those environments are not steady state.
 */
export async function warmedClosedLoop(concurrency: number, seconds: number, operation: () => Promise<void>, warmSeconds = seconds / 2): Promise<LoadResult> {
  await closedLoop(concurrency, warmSeconds, operation);
  return closedLoop(concurrency, seconds, operation);
}

/**
 * The same load, unmeasured, until it stops getting faster, then measured: windows of a fifth of
 * `seconds` (at least 1 s) until one is no more than `tolerance` faster than the best before it
 * (after at least `seconds / 2`, at most `maxWarmSeconds`). What warms is not only the pools'
 * environments: each is a V8 isolate that optimizes the function's code from its own calls, and
 * DynamoDB Local's JIT compiles from its own requests, so a fixed warm-up left the offline read
 * measured partly cold while GetItem, ten times as many calls in the same seconds, ran hot.
 */
export async function steadyClosedLoop(
  concurrency: number, seconds: number, operation: () => Promise<void>,
  { tolerance = 0.05, maxWarmSeconds = seconds * 3 }: { tolerance?: number; maxWarmSeconds?: number } = {},
): Promise<LoadResult & { warmSeconds: number }> {
  const window = Math.max(1, seconds / 5);
  let warmSeconds = 0;
  let best = 0;
  while (warmSeconds < maxWarmSeconds) {
    const { perSecond } = await closedLoop(concurrency, window, operation);
    warmSeconds += window;
    if (warmSeconds >= seconds / 2 && perSecond <= best * (1 + tolerance)) break;
    best = Math.max(best, perSecond);
  }
  return { ...(await closedLoop(concurrency, seconds, operation)), warmSeconds };
}

export async function closedLoop(concurrency: number, seconds: number, operation: () => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const begun = performance.now();
      try {
        await operation();
        latencies.push(performance.now() - begun);
      } catch (error) {
        failures++;
        firstFailure ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: latencies.length / elapsed, failures, firstFailure };
}
