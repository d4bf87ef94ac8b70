import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { processTempDir } from '../lib/platform/process-temp-dir';
import { withScratchTmpdir } from './scratch-tmpdir';

const ROOT = path.join(__dirname, '..');
/** What the app is built from: a change in any of these makes the previous assembly stale. */
const INPUT_DIRS = ['lib', 'functions', 'bin'];
const INPUT_FILES = ['cdk.json', 'package-lock.json', 'package.json', 'tsconfig.json', 'local/synth.ts'];
/** Written into the assembly after a complete synth; its content is the fingerprint of the inputs. */
export const FINGERPRINT_FILE = '.commerce-inputs';
/**
 * Complete assemblies of earlier synths, one directory per fingerprint, each written whole and
 * renamed into place, never rewritten: a start in another outdir (the e2e suite's, a test's, a
 * bench's) copies the app's assembly from here instead of synthesizing it again (esbuild over
 * every handler and the whole app: about 10 s of CPU).
 */
export const ASSEMBLY_CACHE = path.join(ROOT, '.cache', 'assemblies');
/** What a start writes into its outdir beside the assembly (local-runtime.json, .local-compile-cache, .local-demo-data.json): never cached. */
const RUN_FILE = /^\.?local-/;
/** A cache entry being written; a killed writer's is removed by the next writer (processTempDir). */
const STAGING_PREFIX = '.staging-';

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
 * synth settings) and the Node version (bundling targets it); then, after a dash, a hash of the
 * context the synth reads from CDK_CONTEXT_JSON (e2e's cheap password hashes, a saga workflow):
 * an assembly synthesized with another context is never reused.
 */
export function appFingerprint(root: string = ROOT, context: string = process.env.CDK_CONTEXT_JSON ?? ''): string {
  const hash = createHash('sha256').update(`node ${process.version}\n`);
  const files = [...INPUT_DIRS.flatMap((dir) => filesUnder(root, dir)), ...INPUT_FILES.filter((file) => existsSync(path.join(root, file)))].sort();
  for (const file of files) hash.update(`${file}\n`).update(readFileSync(path.join(root, file))).update('\n');
  return `${hash.digest('hex')}-${createHash('sha256').update(context).digest('hex').slice(0, 16)}`;
}

export interface SynthOptions {
  /** The inputs' fingerprint now. */
  readonly fingerprint?: string;
  /** Synthesizes into the directory (the real synth by default; tests pass a stand-in). */
  readonly synth?: (outdir: string) => void | Promise<void>;
  /** Where assemblies are kept for other outdirs; false: neither read nor written. @default ASSEMBLY_CACHE */
  readonly cache?: string | false;
}

/** Where a start's assembly came from: its outdir as it was, a copy from the cache, or a synth. */
export type AssemblySource = 'outdir' | 'cache' | 'synth';

/**
 * Synthesizes the app into `outdir` exactly as `cdk synth` would (same entry, same cdk.json
 * context, cdk-nag included), minus CloudFormation's own schema validation, which would add
 * six seconds to every start. When `outdir` already holds a complete synth of the same inputs
 * (same fingerprint) it is reused; else one in the cache is copied; else the app is synthesized
 * and a copy kept in the cache. A changed file always leads to a fresh synth.
 */
export async function synthesize(outdir: string, options: SynthOptions = {}): Promise<{ source: AssemblySource }> {
  const fingerprint = options.fingerprint ?? appFingerprint();
  if (isCurrentAssembly(outdir, fingerprint)) return { source: 'outdir' };
  const marker = path.join(outdir, FINGERPRINT_FILE);
  // Removed first: an interrupted or failed synth (or copy) must never pass for a complete one.
  rmSync(marker, { force: true });
  const cache = options.cache ?? ASSEMBLY_CACHE;
  if (cache && copyFromCache(cache, fingerprint, outdir)) return { source: 'cache' };
  await (options.synth ?? synthApp)(outdir);
  writeFileSync(marker, stamp(outdir, fingerprint)!);
  if (cache) keepInCache(cache, fingerprint, outdir);
  return { source: 'synth' };
}

/** Whether `outdir` holds a complete synth of the inputs with this fingerprint: what synthesize() reuses. */
export function isCurrentAssembly(outdir: string, fingerprint: string): boolean {
  const marker = path.join(outdir, FINGERPRINT_FILE);
  return existsSync(marker) && readFileSync(marker, 'utf8') === stamp(outdir, fingerprint);
}

/** Whether synthesize() will find this app's assembly (in `outdir` or the cache) rather than synthesize it. */
export function isAssemblyAvailable(outdir: string, fingerprint: string, cache: string | false = ASSEMBLY_CACHE): boolean {
  return isCurrentAssembly(outdir, fingerprint) || (cache !== false && isCurrentAssembly(path.join(cache, fingerprint), fingerprint));
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

/** Copies the cached assembly with this fingerprint into `outdir`, its marker last; false when there is none. */
function copyFromCache(cache: string, fingerprint: string, outdir: string): boolean {
  const cached = path.join(cache, fingerprint);
  if (!isCurrentAssembly(cached, fingerprint)) return false;
  const marker = path.join(cached, FINGERPRINT_FILE);
  try {
    cpSync(cached, outdir, { recursive: true, filter: (source) => source !== marker });
    cpSync(marker, path.join(outdir, FINGERPRINT_FILE));
    return isCurrentAssembly(outdir, fingerprint);
  } catch {
    // Pruned meanwhile by a start of another version of the app: this one synthesizes.
    return false;
  }
}

/** Keeps a copy of the assembly just synthesized into `outdir`, and drops those of other versions of the app. Never fails a start. */
function keepInCache(cache: string, fingerprint: string, outdir: string): void {
  const target = path.join(cache, fingerprint);
  let staging: string | undefined;
  try {
    if (!existsSync(target)) {
      mkdirSync(cache, { recursive: true });
      staging = processTempDir(STAGING_PREFIX, cache);
      cpSync(outdir, staging, { recursive: true, filter: (source) => !RUN_FILE.test(path.relative(outdir, source).split(path.sep)[0]!) });
      // Atomic, and never over another writer's entry (a rename onto a non-empty directory fails).
      renameSync(staging, target);
    }
    // Those of this version with another context (another saga workflow, say) stay for their starts.
    const version = `${fingerprint.split('-')[0]}-`;
    for (const entry of readdirSync(cache)) {
      if (!entry.startsWith(version) && !entry.startsWith('.')) rmSync(path.join(cache, entry), { recursive: true, force: true });
    }
  } catch {
    // Another start kept the same assembly first (theirs is as good), or the cache is not writable.
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
  }
}

/** Loads the app's code (and aws-cdk-lib, a second or two) only when it has to be synthesized. */
async function synthApp(outdir: string): Promise<void> {
  const { inProcessApp } = await import('../lib/in-process-app');
  withScratchTmpdir(() => {
    const { app } = inProcessApp({ outdir, stage: 'dev', cloudFormationValidation: false });
    app.synth();
  });
}
