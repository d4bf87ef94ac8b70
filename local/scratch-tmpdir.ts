import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const PREFIX = 'commerce-synth-';
let scratch: string | undefined;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the scratch dirs of processes that are gone: one killed by a signal (a test runner's
 * worker, Ctrl+C twice) never ran its exit handler.
 */
function removeOrphans(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = new RegExp(`^${PREFIX}(\\d+)-`).exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid))) rmSync(path.join(dir, name), { recursive: true, force: true });
  }
}

/**
 * Runs `body` (a synth) with the temp dir pointed at one scratch directory of this process,
 * removed when the process exits. Synth leaves what it writes to the temp dir behind (the
 * one-pass esbuild output of every handler, 12 MB, kept for the process's later synths): so
 * every `npm start`, test and bench run would leave a folder in /tmp.
 */
export function withScratchTmpdir<T>(body: () => T): T {
  if (scratch === undefined) {
    removeOrphans(tmpdir());
    const dir = mkdtempSync(path.join(tmpdir(), `${PREFIX}${process.pid}-`));
    scratch = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}
