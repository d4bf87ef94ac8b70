/**
 * A synthesized app in a temporary directory, removed afterwards: the same entry and cdk.json
 * context as `cdk synth` (lib/in-process-app), plus any extra context (e.g. sagaWorkflow), and
 * resolved as the offline runtime resolves it, so ARNs, names and definitions are plain strings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildCommerceApp } from '../../lib/app';
import { loadAssembly } from '../../local/cloudformation/assembly';
import { withScratchTmpdir } from '../../local/scratch-tmpdir';
import type { LocalAssembly } from '../../local/types';

export const ROOT = path.join(__dirname, '..', '..');

/** Runs `body` with a fresh temporary directory that is removed afterwards, whatever happens. */
export async function withTempDir<T>(prefix: string, body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Synthesizes the dev stage into `outdir` with `context` on top of cdk.json's, and resolves it. */
export function synthesizeResolved(outdir: string, context: Record<string, unknown> = {}): LocalAssembly {
  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({ outdir, context: { ...cdkJson.context, stage: 'dev', ...context }, builtinCloudFormationValidation: false });
  withScratchTmpdir(() => {
    buildCommerceApp(app);
    app.synth();
  });
  return loadAssembly(outdir, { sqsBaseUrl: 'http://sqs.invalid', secretValue: () => 'bench-secret' });
}
