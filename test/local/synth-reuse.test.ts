/**
 * npm start reuses the previous assembly only when nothing it is built from has changed: a
 * changed, added or removed source file, a changed lockfile or another Node always synthesizes.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appFingerprint, FINGERPRINT_FILE, synthesize } from '../../local/synth';

let root: string;
let outdir: string;
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

/** One start: the fingerprint of the app now, then synthesize (or reuse). */
const start = async () => (await synthesize(outdir, { fingerprint: appFingerprint(root), synth: (dir) => fakeSynth(dir) })).reused;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'synth-reuse-'));
  outdir = path.join(root, 'cdk.out');
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
    await expect(synthesize(outdir, { fingerprint: 'next', synth: () => { throw new Error('synth failed'); } })).rejects.toThrow('synth failed');
    expect((await synthesize(outdir, { fingerprint: 'next', synth: (dir) => fakeSynth(dir) })).reused).toBe(false);
  });

  it('synthesizes when the directory has a manifest but no fingerprint (e.g. cdk synth wrote it)', async () => {
    fakeSynth(outdir);
    synths = 0;
    expect(await start()).toBe(false);
    expect(synths).toBe(1);
    expect(existsSync(path.join(outdir, FINGERPRINT_FILE))).toBe(true);
  });
});
