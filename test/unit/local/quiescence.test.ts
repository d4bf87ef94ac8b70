import { describe, expect, it } from 'vitest';
import { activityMonitor } from '../../../local/quiescence';
import type { InvokeResult, LambdaInvoker } from '../../../local/types';

/** A Lambda service stand-in that tells the monitor of every run's end, as the real one's onInvocation does. */
function fakeLambda(ended: (ok: boolean) => void): LambdaInvoker & { finish(ok?: boolean): void } {
  const running: (() => void)[] = [];
  return {
    has: () => true,
    invoke: () => new Promise<InvokeResult>((resolve) => running.push(() => resolve({ ok: true, payload: null } as unknown as InvokeResult))),
    invokeAsync: () => void running.push(() => undefined),
    finish(ok = true) {
      ended(ok);
      running.shift()?.();
    },
  };
}

const settledNow = { quietMs: 0, timeoutMs: 300, idle: async () => true };

describe('activityMonitor (whether a start may keep its demo data)', () => {
  it('settles once every invocation the services made has ended and nothing happened for the quiet time', async () => {
    const monitor = activityMonitor();
    const lambda = fakeLambda((ok) => monitor.onInvocation({ ok }));
    const tracked = monitor.track(lambda, 'runtime');
    tracked.invokeAsync('consumer', {});
    const sync = tracked.invoke('relay', {});
    expect(await monitor.settled(settledNow)).toBe(false);
    lambda.finish();
    expect(await monitor.settled(settledNow)).toBe(false);
    lambda.finish();
    await sync;
    const mark = monitor.mark();
    expect(await monitor.settled(settledNow)).toBe(true);
    expect(monitor.mark()).toBe(mark);
    expect(await monitor.settled({ ...settledNow, idle: async () => false })).toBe(false);
    expect(await monitor.settled({ ...settledNow, quietMs: 10_000 })).toBe(false);
  });

  it('is spoiled for good by a client of the API, a failed function, or an invocation from outside the services', async () => {
    for (const spoil of [
      (tracked: { client: LambdaInvoker }) => void tracked.client.invoke('GetProduct', {}),
      (_: unknown, lambda: { finish(ok?: boolean): void }, runtime?: LambdaInvoker) => {
        runtime!.invokeAsync('consumer', {});
        lambda.finish(false);
      },
      (_: unknown, lambda: { finish(ok?: boolean): void }) => lambda.finish(),
    ]) {
      const monitor = activityMonitor();
      const lambda = fakeLambda((ok) => monitor.onInvocation({ ok }));
      spoil({ client: monitor.track(lambda, 'client') }, lambda, monitor.track(lambda, 'runtime'));
      expect(monitor.spoiled()).toEqual(expect.any(String));
      expect(await monitor.settled(settledNow)).toBe(false);
    }
  });
});
