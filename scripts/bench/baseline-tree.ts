/**
 * Another revision of the project, to measure beside this one in the same run: a git worktree of
 * it in the temp dir with its own dependencies (`npm ci`, from npm's cache when it can), so its
 * `npm start` runs as it did then. DynamoDB Local's cache (.cache) is the project's: the same
 * engine for both. The worktree is removed afterwards, whatever happens.
 *
 * A tree from before `npm start -- --no-throttle` (the tree issue 13 was filed on, 859ab02, is
 * one) gets that option's own commit applied to its local/ (the stage's 50 req/s would make its
 * load mostly 429s, as the issue says), and nothing else: its app and runtime stay as they were.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from './synth';

/** The commit that added `npm start -- --no-throttle` (local/ only). */
const NO_THROTTLE_COMMIT = '37c6d61';

const git = (args: readonly string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

export async function withBaselineTree<T>(revision: string, log: (line: string) => void, use: (root: string, commit: string) => Promise<T>): Promise<T> {
  const commit = git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`]);
  const dir = mkdtempSync(path.join(tmpdir(), 'commerce-bench-baseline-'));
  git(['worktree', 'add', '--detach', dir, commit]);
  try {
    symlinkSync(path.join(ROOT, '.cache'), path.join(dir, '.cache'));
    if (!readFileSync(path.join(dir, 'local', 'start.ts'), 'utf8').includes('no-throttle')) {
      log(`baseline ${revision}: its npm start has no --no-throttle; applying ${NO_THROTTLE_COMMIT}'s change to local/ in its worktree`);
      const patch = git(['diff', `${NO_THROTTLE_COMMIT}^`, NO_THROTTLE_COMMIT, '--', 'local/']);
      execFileSync('git', ['apply'], { cwd: dir, input: `${patch}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
    }
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
