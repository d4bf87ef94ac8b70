import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import TimelineReporter, { renderTimeline, type TimelineRow } from '../../support/timeline-reporter';

const ROOT = path.resolve(__dirname, '../../..');
const row = (file: string, start: number, end: number, slot = 1): TimelineRow => ({ file, project: 'unit', start, end, slot, state: 'passed' });
const moduleOf = (file: string, slot: number) =>
  ({ moduleId: path.join(ROOT, file), project: { name: 'e2e' }, diagnostic: () => ({ concurrencyId: slot }), state: () => 'passed' }) as unknown as TestModule;

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('the test run timeline', () => {
  it('lists the files by start, with their seconds, and names the longest and those still running at the end', () => {
    const { table, summary } = renderTimeline([row('b.test.ts', 2, 40, 2), row('a.test.ts', 0, 30), row('c.test.ts', 31, 50.5, 1)], 15);
    expect(table.split('\n')).toEqual([
      'start\tend\tseconds\tproject\tslot\tstate\tfile',
      '0.0\t30.0\t30.0\tunit\t1\tpassed\ta.test.ts',
      '2.0\t40.0\t38.0\tunit\t2\tpassed\tb.test.ts',
      '31.0\t50.5\t19.5\tunit\t1\tpassed\tc.test.ts',
    ]);
    expect(summary).toContain('3 files, the last ended 50.5 s after the start');
    expect(summary).toContain('longest: b.test.ts 2.0-40.0 s; a.test.ts 0.0-30.0 s; c.test.ts 31.0-50.5 s');
    expect(summary).toContain('running in the last 15 s: 2 file(s), from b.test.ts 2.0-40.0 s; c.test.ts 31.0-50.5 s');
  });

  it('times each file from its start to its end, in its slot, and writes the table where TEST_TIMELINE_FILE says', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'timeline-'));
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.stubEnv('TEST_TIMELINE_FILE', path.join(dir, 'timeline.tsv'));
      vi.spyOn(console, 'log').mockImplementation(() => undefined);
      const reporter = new TimelineReporter();
      const file = moduleOf('test/e2e/x.e2e.test.ts', 3);
      vi.advanceTimersByTime(1_500);
      reporter.onTestModuleStart(file);
      vi.advanceTimersByTime(2_000);
      reporter.onTestModuleEnd(file);
      reporter.onTestRunEnd();
      expect(readFileSync(path.join(dir, 'timeline.tsv'), 'utf8').split('\n')[1]).toBe('1.5\t3.5\t2.0\te2e\t3\tpassed\ttest/e2e/x.e2e.test.ts');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
