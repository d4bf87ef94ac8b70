import { App, type Environment } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildCommerceApp } from './app';

const ROOT = path.join(__dirname, '..');

export interface InProcessAppOptions {
  readonly outdir: string;
  readonly stage?: 'dev' | 'prod';
  /**
   * CloudFormation's schema validation built into synth: thorough, but about 6 s; the offline
   * runtime skips it (cdk-nag still runs).
   * @default true
   */
  readonly cloudFormationValidation?: boolean;
  /** @default - environment-agnostic stacks, as `cdk synth` makes without credentials */
  readonly env?: Environment;
  /** Context beyond the stage (`-c key=value` of the CLI). @default - none */
  readonly context?: Record<string, unknown>;
}

/**
 * The app as `cdk synth` builds it, without the CLI: same entry (buildCommerceApp), same
 * context (cdk.json's feature flags), so the offline runtime and the tests see what deploys.
 */
export function inProcessApp(options: InProcessAppOptions) {
  const cdkJson = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const app = new App({
    outdir: options.outdir,
    context: { ...cdkJson.context, ...options.context, stage: options.stage ?? 'dev' },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? true,
  });
  return { app, ...buildCommerceApp(app, options.env) };
}
