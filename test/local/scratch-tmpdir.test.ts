/**
 * What a synth writes to the temp dir (the bundler's output of every handler) goes to one scratch
 * directory per process, removed when the process exits: npm start, the bench and tests that
 * synthesize in-process leave nothing behind in /tmp.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withScratchTmpdir } from '../../local/scratch-tmpdir';

const ROOT = path.join(__dirname, '..', '..');

// A process that writes into the temp dir twice within withScratchTmpdir, as synth's bundler does, then exits.
const CHILD = `
const { mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { withScratchTmpdir } = require('./local/scratch-tmpdir');
const dirs = [1, 2].map(() => withScratchTmpdir(() => {
  const dir = mkdtempSync(join(tmpdir(), 'bundles-'));
  writeFileSync(join(dir, 'index.js'), 'x'.repeat(1024));
  return dir;
}));
console.log(JSON.stringify({ dirs, after: tmpdir() }));
`;

describe('withScratchTmpdir', () => {
  it('puts what the body writes to the temp dir in a scratch dir that is gone once the process exits', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', CHILD], { cwd: ROOT, encoding: 'utf8' });
    const { dirs, after } = JSON.parse(out.trim().split('\n').at(-1)!) as { dirs: string[]; after: string };
    expect(after).toBe(tmpdir());
    expect(path.dirname(dirs[0]!)).toBe(path.dirname(dirs[1]!));
    expect(path.basename(path.dirname(dirs[0]!))).toMatch(/^commerce-synth-/);
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    expect(existsSync(path.dirname(dirs[0]!))).toBe(false);
  });

  it('removes the scratch dirs of processes that were killed before their exit handler ran', () => {
    const dead = 2 ** 22 + 12345; // above Linux's default pid_max: no such process
    const orphan = path.join(tmpdir(), `commerce-synth-${dead}-abcdef`);
    mkdirSync(orphan, { recursive: true });
    writeFileSync(path.join(orphan, 'index.js'), 'x');
    execFileSync(process.execPath, ['--import', 'tsx', '-e', CHILD], { cwd: ROOT, encoding: 'utf8' });
    expect(existsSync(orphan)).toBe(false);
  });

  it('restores TMPDIR after the body, even when it throws', () => {
    const before = process.env.TMPDIR;
    expect(() => withScratchTmpdir(() => {
      expect(tmpdir()).toMatch(/commerce-synth-/);
      throw new Error('synth failed');
    })).toThrow('synth failed');
    expect(process.env.TMPDIR).toBe(before);
  });
});
