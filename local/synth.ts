import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { withScratchTmpdir } from './scratch-tmpdir';

const ROOT = path.join(__dirname, '..');
/** What the app is built from: a change in any of these makes the previous assembly stale. */
const INPUT_DIRS = ['lib', 'functions', 'bin'];
const INPUT_FILES = ['cdk.json', 'package-lock.json', 'package.json', 'tsconfig.json', 'local/synth.ts'];
/** Written into the assembly after a complete synth; its content is the fingerprint of the inputs. */
export const FINGERPRINT_FILE = '.commerce-inputs';

function filesUnder(root: string, dir: string): string[] {
  if (!existsSync(path.join(root, dir))) return [];
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(root, relative) : [relative];
  });
}

/**
 * A hash of everything the synthesized app depends on: every file (path and content) under lib/,
 * functions/ and bin/, the build configuration, the lockfile (dependencies), this module (the
 * synth settings) and the Node version (bundling targets it).
 */
export function appFingerprint(root: string = ROOT): string {
  const hash = createHash('sha256').update(`node ${process.version}\n`);
  const files = [...INPUT_DIRS.flatMap((dir) => filesUnder(root, dir)), ...INPUT_FILES.filter((file) => existsSync(path.join(root, file)))].sort();
  for (const file of files) hash.update(`${file}\n`).update(readFileSync(path.join(root, file))).update('\n');
  return hash.digest('hex');
}

export interface SynthOptions {
  /** The inputs' fingerprint now. */
  readonly fingerprint?: string;
  /** Synthesizes into the directory (the real synth by default; tests pass a stand-in). */
  readonly synth?: (outdir: string) => void | Promise<void>;
}

/**
 * Synthesizes the app into `outdir` exactly as `cdk synth` would (same entry, same cdk.json
 * context, cdk-nag included), minus CloudFormation's own schema validation, which would add
 * six seconds to every start. When `outdir` already holds a complete synth of the same inputs
 * (same fingerprint) it is reused: an unchanged app starts without synthesizing, and a changed
 * file always leads to a fresh synth. Returns whether the assembly was reused.
 */
export async function synthesize(outdir: string, options: SynthOptions = {}): Promise<{ reused: boolean }> {
  const fingerprint = options.fingerprint ?? appFingerprint();
  if (isCurrentAssembly(outdir, fingerprint)) return { reused: true };
  const marker = path.join(outdir, FINGERPRINT_FILE);
  // Removed first: an interrupted or failed synth must never pass for a complete one.
  rmSync(marker, { force: true });
  await (options.synth ?? synthApp)(outdir);
  writeFileSync(marker, stamp(outdir, fingerprint)!);
  return { reused: false };
}

/** Whether `outdir` holds a complete synth of the inputs with this fingerprint: what synthesize() reuses. */
export function isCurrentAssembly(outdir: string, fingerprint: string): boolean {
  const marker = path.join(outdir, FINGERPRINT_FILE);
  return existsSync(marker) && readFileSync(marker, 'utf8') === stamp(outdir, fingerprint);
}

/**
 * The inputs' fingerprint and the manifest's own hash: an assembly another tool wrote over ours
 * (`cdk synth` into cdk.out, with other settings) does not match, nor does one with no manifest.
 */
function stamp(outdir: string, fingerprint: string): string | undefined {
  const manifest = path.join(outdir, 'manifest.json');
  if (!existsSync(manifest)) return undefined;
  return `${fingerprint}\nmanifest ${createHash('sha256').update(readFileSync(manifest)).digest('hex')}\n`;
}

/** Loads the app's code (and aws-cdk-lib, a second or two) only when it has to be synthesized. */
async function synthApp(outdir: string): Promise<void> {
  const { inProcessApp } = await import('../lib/in-process-app');
  withScratchTmpdir(() => {
    const { app } = inProcessApp({ outdir, stage: 'dev', cloudFormationValidation: false });
    app.synth();
  });
}
