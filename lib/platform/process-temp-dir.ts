import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** This process's directories, removed when it exits. */
const owned = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A directory in the temp dir (or in `parent`) that lives as long as this process: named `<prefix><pid>-…`,
 * removed when the process exits, and, since a process killed by a signal (a test runner's
 * worker, Ctrl+C twice) never runs its exit handler, removed by the next process that makes one
 * with the same prefix once its pid is gone.
 */
export function processTempDir(prefix: string, parent: string = tmpdir()): string {
  for (const name of readdirSync(parent)) {
    const pid = new RegExp(`^${prefix}(\\d+)-`).exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid))) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  const dir = mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
  // One exit listener for all of them: a process may make many (a test of the assembly cache).
  if (owned.size === 0) process.once('exit', () => owned.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  owned.add(dir);
  return dir;
}
