import { inProcessApp } from '../lib/in-process-app';

/**
 * Synthesizes the app into `outdir` exactly as `cdk synth` would (same entry, same cdk.json
 * context, cdk-nag included), minus CloudFormation's own schema validation, which would add
 * six seconds to every start.
 */
export function synthesize(outdir: string): void {
  const { app } = inProcessApp({ outdir, stage: 'dev', cloudFormationValidation: false });
  app.synth();
}
