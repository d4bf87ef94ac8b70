/**
 * npm start reuses the previous assembly only when nothing it is built from has changed: a
 * changed, added or removed source file, a changed lockfile, another Node or another context
 * always synthesizes. A start in another outdir copies the assembly from the cache instead.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFingerprint, FINGERPRINT_FILE, isAssemblyAvailable, synthesize } from '../../local/synth';

let root: string;
let outdir: string;
let cache: string;
let synths: number;

/** A stand-in synth: writes a manifest, as a real synth does, and counts its calls. */
const fakeSynth = (dir: string, manifest = '{"version":"1"}') => {
  synths++;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), manifest);
};

function write(file: string, content: string) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
}

/** One start in `dir`: the fingerprint of the app now (with `context`), then synthesize, copy from the cache or reuse. */
const startIn = async (dir: string, context = '') =>
  (await synthesize(dir, { fingerprint: appFingerprint(root, context), synth: (into) => fakeSynth(into), cache })).source;
/** Whether a start in the project's outdir reused it. */
const start = async () => (await startIn(outdir)) === 'outdir';

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'synth-reuse-'));
  outdir = path.join(root, 'cdk.out');
  cache = path.join(root, '.cache', 'assemblies');
  synths = 0;
  write('lib/app.ts', 'export const app = 1;');
  write('functions/orders/handlers/place-order.ts', 'export const handler = 1;');
  write('bin/commerce.ts', 'app();');
  write('cdk.json', '{}');
  write('package-lock.json', '{}');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('synthesize: reuse of an unchanged app', () => {
  it('synthesizes on the first start and reuses the assembly while nothing changed', async () => {
    expect(await start()).toBe(false);
    expect(await start()).toBe(true);
    expect(await start()).toBe(true);
    expect(synths).toBe(1);
  });

  it.each([
    ['a changed handler', () => write('functions/orders/handlers/place-order.ts', 'export const handler = 2;')],
    ['a changed stack', () => write('lib/app.ts', 'export const app = 2;')],
    ['an added source file', () => write('functions/orders/domain/order.ts', 'export {};')],
    ['a removed source file', () => unlinkSync(path.join(root, 'bin/commerce.ts'))],
    ['a changed lockfile', () => write('package-lock.json', '{"changed":true}')],
    ['a changed cdk.json', () => write('cdk.json', '{"context":{}}')],
    ['a renamed file', () => { unlinkSync(path.join(root, 'lib/app.ts')); write('lib/app2.ts', 'export const app = 1;'); }],
  ])('synthesizes again after %s', async (_, change) => {
    await start();
    change();
    expect(await start()).toBe(false);
    expect(synths).toBe(2);
    expect(await start()).toBe(true);
  });

  it('synthesizes again when the Node version differs', async () => {
    await start();
    const version = Object.getOwnPropertyDescriptor(process, 'version')!;
    Object.defineProperty(process, 'version', { value: 'v99.0.0', configurable: true });
    try {
      expect(await start()).toBe(false);
    } finally {
      Object.defineProperty(process, 'version', version);
    }
  });

  it('synthesizes again when another tool wrote over the assembly, or a synth failed half way', async () => {
    await start();
    writeFileSync(path.join(outdir, 'manifest.json'), '{"written":"by cdk synth"}');
    expect(await start()).toBe(false);
    await expect(synthesize(outdir, { fingerprint: 'next', synth: () => { throw new Error('synth failed'); }, cache: false })).rejects.toThrow('synth failed');
    expect((await synthesize(outdir, { fingerprint: 'next', synth: (dir) => fakeSynth(dir), cache: false })).source).toBe('synth');
  });

  it('synthesizes when the directory has a manifest but no fingerprint (e.g. cdk synth wrote it)', async () => {
    fakeSynth(outdir);
    synths = 0;
    expect(await start()).toBe(false);
    expect(synths).toBe(1);
    expect(existsSync(path.join(outdir, FINGERPRINT_FILE))).toBe(true);
  });
});

describe('synthesize: the assembly cache shared by starts in other outdirs', () => {
  const elsewhere = (name: string) => path.join(root, 'elsewhere', name);

  it('copies the unchanged app into a new outdir instead of synthesizing, which that outdir then reuses', async () => {
    expect(await startIn(outdir)).toBe('synth');
    expect(isAssemblyAvailable(elsewhere('e2e'), appFingerprint(root, ''), cache)).toBe(true);
    expect(await startIn(elsewhere('e2e'))).toBe('cache');
    expect(await startIn(elsewhere('e2e'))).toBe('outdir');
    expect(synths).toBe(1);
  });

  it('never takes an assembly of another context, another version of the app, or a cache entry without its marker', async () => {
    await startIn(outdir, '{"passwordHashCost":10}');
    expect(await startIn(elsewhere('plain'))).toBe('synth');
    expect(await startIn(elsewhere('express'), '{"sagaWorkflow":"EXPRESS"}')).toBe('synth');
    expect(await startIn(elsewhere('cheap'), '{"passwordHashCost":10}')).toBe('cache');
    // A writer killed half way leaves no marker: its entry is never copied.
    rmSync(path.join(cache, appFingerprint(root, ''), FINGERPRINT_FILE));
    expect(await startIn(elsewhere('plain-again'))).toBe('synth');
    write('lib/app.ts', 'export const app = 2;');
    expect(await startIn(elsewhere('changed'), '{"passwordHashCost":10}')).toBe('synth');
    expect(synths).toBe(5);
  });

  it("keeps the assembly only, not what a start wrote beside it, and drops other versions' assemblies", async () => {
    writeFileSync(path.join(root, 'stale'), '');
    mkdirSync(outdir, { recursive: true });
    for (const file of ['local-runtime.json', '.local-demo-data.json']) writeFileSync(path.join(outdir, file), '{}');
    mkdirSync(path.join(outdir, '.local-compile-cache'));
    await startIn(outdir);
    const first = appFingerprint(root, '');
    expect(readdirSync(path.join(cache, first)).sort()).toEqual([FINGERPRINT_FILE, 'manifest.json']);
    write('lib/app.ts', 'export const app = 2;');
    await startIn(outdir, '{"sagaWorkflow":"EXPRESS"}');
    await startIn(outdir);
    expect(readdirSync(cache).sort()).toEqual([appFingerprint(root, ''), appFingerprint(root, '{"sagaWorkflow":"EXPRESS"}')].sort());
    expect(readdirSync(cache)).not.toContain(first);
  });

  it('with the cache off, neither copies from it nor writes to it', async () => {
    await startIn(outdir);
    const source = async (dir: string) => (await synthesize(dir, { fingerprint: appFingerprint(root, ''), synth: (into) => fakeSynth(into), cache: false })).source;
    expect(await source(elsewhere('cold'))).toBe('synth');
    rmSync(cache, { recursive: true });
    expect(await source(elsewhere('cold-2'))).toBe('synth');
    expect(existsSync(cache)).toBe(false);
  });
});
