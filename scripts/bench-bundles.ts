/**
 * The size of every function's bundle, as deployed: synthesizes the app into a temporary
 * directory and reads each function's asset.
 *
 *   npm run bench:bundles
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { inProcessApp } from '../lib/in-process-app';

const outdir = mkdtempSync(path.join(tmpdir(), 'commerce-bundles-'));
try {
  const started = Date.now();
  const { app } = inProcessApp({ outdir, cloudFormationValidation: false });
  const assembly = app.synth();
  const synthMs = Date.now() - started;
  const rows: [string, number][] = [];
  for (const construct of app.node.findAll()) {
    if (!(construct instanceof CfnFunction)) continue;
    const assetPath = construct.getMetadata('aws:asset:path') as string | undefined;
    const key = (construct.code as { s3Key?: string }).s3Key;
    const hash = assetPath ?? (typeof key === 'string' ? `asset.${key.replace(/\.zip$/, '')}` : undefined);
    if (!hash) continue;
    const size = statSync(path.join(assembly.directory, hash, 'index.js')).size;
    rows.push([construct.node.path.replace(/\/Resource$/, ''), size]);
  }
  rows.sort((a, b) => b[1] - a[1]);
  for (const [name, size] of rows) console.log(`${(size / 1024).toFixed(1).padStart(8)} KiB  ${name}`);
  const total = rows.reduce((sum, [, size]) => sum + size, 0);
  console.log(`${rows.length} functions, ${(total / 1024).toFixed(0)} KiB in all, largest ${(rows[0]![1] / 1024).toFixed(1)} KiB; synth ${synthMs} ms`);
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
