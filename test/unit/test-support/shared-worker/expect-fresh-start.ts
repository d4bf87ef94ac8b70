import { expect, it, vi } from 'vitest';
import { state } from './state';

/**
 * A file's test that finds the modules, environment and clock as a file of its own would, then
 * changes each of them: the second file so checked in one worker fails unless they were reset.
 */
export function expectFreshStart(): void {
  it('starts with fresh modules, environment and clock, then changes them', () => {
    expect(state).toEqual({ loads: 1, calls: 0 });
    expect(process.env.SHARED_WORKER_PROBE).toBeUndefined();
    expect(process.env.SHARED_WORKER_STUB).toBeUndefined();
    expect(vi.isFakeTimers()).toBe(false);
    state.calls += 1;
    process.env.SHARED_WORKER_PROBE = 'left by a file';
    vi.stubEnv('SHARED_WORKER_STUB', 'stubbed by a file');
    vi.useFakeTimers();
  });
}
