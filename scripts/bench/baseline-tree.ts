/**
 * Another revision of the project, to measure beside this one in the same run: a git worktree of
 * it in the temp dir with its own dependencies (`npm ci`, from npm's cache when it can), so its
 * `npm start` runs as it did then. DynamoDB Local's cache (.cache) is the project's: the same
 * engine for both. The worktree is removed afterwards, whatever happens.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from './synth';

const git = (args: readonly string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

export async function withBaselineTree<T>(revision: string, log: (line: string) => void, use: (root: string, commit: string) => Promise<T>): Promise<T> {
  const commit = git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
  const dir = mkdtempSync(path.join(tmpdir(), 'commerce-bench-baseline-'));
  git(['worktree', 'add', '--detach', dir, commit]);
  try {
    symlinkSync(path.join(ROOT, '.cache'), path.join(dir, '.cache'));
    log(`baseline ${revision} (${commit.slice(0, 7)}): installing its dependencies (npm ci, offline first)…`);
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['ci', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: dir,
      stdio: 'ignore',
      shell: process.platform === 'win32',
    });
    return await use(dir, commit);
  } finally {
    git(['worktree', 'remove', '--force', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
}
