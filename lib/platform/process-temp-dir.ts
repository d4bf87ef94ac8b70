import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A directory in the temp dir that lives as long as this process: named `<prefix><pid>-…`,
 * removed when the process exits, and, since a process killed by a signal (a test runner's
 * worker, Ctrl+C twice) never runs its exit handler, removed by the next process that makes one
 * with the same prefix once its pid is gone.
 */
export function processTempDir(prefix: string): string {
  const parent = tmpdir();
  for (const name of readdirSync(parent)) {
    const pid = new RegExp(`^${prefix}(\\d+)-`).exec(name)?.[1];
    if (pid !== undefined && Number(pid) !== process.pid && !alive(Number(pid))) rmSync(path.join(parent, name), { recursive: true, force: true });
  }
  const dir = mkdtempSync(path.join(parent, `${prefix}${process.pid}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
