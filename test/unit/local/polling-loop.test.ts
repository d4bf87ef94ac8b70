import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPollingLoop, type IterationOutcome, type PollingLoop, type PollingLoopOptions } from '../../../local/lambda-event-sources/polling-loop';

// Fake timers and clock: the pauses are what is tested, and a busy machine stretches real ones.
beforeEach(() => {
  vi.useFakeTimers();
});

let loop: PollingLoop | undefined;
afterEach(async () => {
  const stopping = loop?.stop();
  await vi.runOnlyPendingTimersAsync();
  await stopping;
  loop = undefined;
  vi.useRealTimers();
});

/** A loop whose iterations answer `outcome()` (after `takesMs`) and are timed when they begin. */
function timedLoop(outcome: () => IterationOutcome, options: Omit<PollingLoopOptions, 'onError'>, takesMs = 0): number[] {
  const began: number[] = [];
  loop = startPollingLoop(async () => {
    began.push(Date.now());
    if (takesMs > 0) await new Promise((resolve) => setTimeout(resolve, takesMs));
    return outcome();
  }, { ...options, onError: () => undefined });
  return began;
}

const gapsOf = (times: readonly number[]) => times.slice(1).map((time, index) => time - times[index]!);
const elapse = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('polling loop', () => {
  it('pauses longer and longer while it finds nothing, up to maxIdleMs', async () => {
    const began = timedLoop(() => 'idle', { idleMs: 20, maxIdleMs: 160 });
    await elapse(1_000);
    // A fixed 20 ms pause made 50 polls in that second.
    expect(gapsOf(began)).toEqual([20, 40, 80, 160, 160, 160, 160, 160]);
  });

  it('pauses idleMs again after an iteration that found something', async () => {
    let found = false;
    const began = timedLoop(() => (found ? 'found' : 'idle'), { idleMs: 20, maxIdleMs: 400 });
    await elapse(1_000);
    found = true;
    const from = began.length;
    await elapse(1_000);
    expect(gapsOf(began.slice(from)).every((gap) => gap === 20)).toBe(true);
  });

  it('goes again at once after an iteration that says so', async () => {
    let left = 5;
    const began = timedLoop(() => (left-- > 0 ? 'again' : 'idle'), { idleMs: 1_000 });
    await elapse(10);
    expect(began).toHaveLength(6);
  });

  it('poll() ends the pause and resolves once an iteration begun after it has ended', async () => {
    const began = timedLoop(() => 'idle', { idleMs: 60_000 }, 20);
    await elapse(100);
    expect(began).toHaveLength(1);
    let answered = false;
    const polled = loop!.poll().then(() => (answered = true));
    await elapse(10);
    expect(began).toHaveLength(2);
    expect(answered).toBe(false);
    await elapse(10);
    await polled;
    expect(began[1]! - began[0]!).toBe(100);
  });

  it('a poll() during an iteration is answered by the next one, begun at once after it', async () => {
    const began = timedLoop(() => 'idle', { idleMs: 60_000 }, 50);
    await elapse(10);
    const polled = loop!.poll();
    await elapse(100);
    await polled;
    expect(began.map((time) => time - began[0]!)).toEqual([0, 50]);
  });

  it('poll()s within minSpacingMs of the last iteration make one iteration, minSpacingMs after it began', async () => {
    const began = timedLoop(() => 'idle', { idleMs: 60_000, minSpacingMs: 200 });
    await elapse(20);
    const polls: Promise<void>[] = [];
    for (let index = 0; index < 10; index++) {
      polls.push(loop!.poll());
      await elapse(10);
    }
    await elapse(200);
    await Promise.all(polls);
    expect(began.map((time) => time - began[0]!)).toEqual([0, 200]);
  });

  it('poll() after stop() resolves at once', async () => {
    timedLoop(() => 'idle', { idleMs: 60_000 });
    await loop!.stop();
    await expect(loop!.poll()).resolves.toBeUndefined();
  });
});
