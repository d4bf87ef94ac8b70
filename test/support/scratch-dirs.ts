/**
 * Temp directories a test file makes (synth outdirs, fixture files), removed when the file's
 * tests are done: every synth of the template tests left a folder of templates in the temp dir.
 * The hook registers on the importing test file (vitest evaluates a file's imports while it
 * collects that file's tests, each file with modules of its own).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';

const made: string[] = [];

export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});
