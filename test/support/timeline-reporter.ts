/**
 * Where a test run's time goes (issue 13): when each file starts and ends, seconds after vitest
 * started, in which project and worker slot, so the run's critical path can be read off (which
 * files start first, which run alone at the end, how long a slot waits). Opt-in, beside the usual
 * output: `npm test -- --reporter=default --reporter=./test/support/timeline-reporter.ts`; the
 * table goes to TEST_TIMELINE_FILE, else .cache/test-timeline.tsv, and a summary to the console.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

const ROOT = path.resolve(__dirname, '../..');

export interface TimelineRow {
  readonly file: string;
  readonly project: string;
  /** Seconds after the run started. */
  readonly start: number;
  readonly end: number;
  /** The worker slot (1 to maxWorkers) the file ran in. */
  readonly slot: number;
  readonly state: string;
}

/** The table: one line per file, by start; and the files still running in the run's last `tail` seconds. */
export function renderTimeline(rows: readonly TimelineRow[], tail = 15): { table: string; summary: string } {
  const sorted = [...rows].sort((a, b) => a.start - b.start || a.end - b.end);
  const table = ['start\tend\tseconds\tproject\tslot\tstate\tfile', ...sorted.map((row) =>
    [row.start.toFixed(1), row.end.toFixed(1), (row.end - row.start).toFixed(1), row.project, row.slot, row.state, row.file].join('\t'))].join('\n');
  const last = Math.max(0, ...rows.map((row) => row.end));
  const longest = [...rows].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, 5);
  // The run's tail: what still ran in its last seconds, the files that started earliest first.
  const atTheEnd = sorted.filter((row) => row.end > last - tail);
  const describe = (row: TimelineRow) => `${row.file} ${row.start.toFixed(1)}-${row.end.toFixed(1)} s`;
  const summary = [
    `timeline: ${rows.length} files, the last ended ${last.toFixed(1)} s after the start`,
    `  longest: ${longest.map(describe).join('; ')}`,
    `  running in the last ${tail} s: ${atTheEnd.length} file(s), from ${atTheEnd.slice(0, 3).map(describe).join('; ')}`,
  ].join('\n');
  return { table, summary };
}

export default class TimelineReporter implements Reporter {
  private readonly started = Date.now();
  private readonly starts = new Map<string, number>();
  private readonly rows: TimelineRow[] = [];

  private seconds(): number {
    return (Date.now() - this.started) / 1000;
  }

  onTestModuleStart(module: TestModule): void {
    this.starts.set(module.moduleId, this.seconds());
  }

  onTestModuleEnd(module: TestModule): void {
    this.rows.push({
      file: path.relative(ROOT, module.moduleId),
      project: module.project.name,
      start: this.starts.get(module.moduleId) ?? this.seconds(),
      end: this.seconds(),
      slot: module.diagnostic().concurrencyId,
      state: module.state(),
    });
  }

  onTestRunEnd(): void {
    const { table, summary } = renderTimeline(this.rows);
    const file = process.env.TEST_TIMELINE_FILE ?? path.join(ROOT, '.cache', 'test-timeline.tsv');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${table}\n`);
    console.log(`${summary}\n  the whole table: ${file}`);
  }
}
