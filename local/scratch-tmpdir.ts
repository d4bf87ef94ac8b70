import { processTempDir } from '../lib/platform/process-temp-dir';

let scratch: string | undefined;

/**
 * Runs `body` (a synth) with the temp dir pointed at one scratch directory of this process,
 * removed when the process exits (or by a later process, if this one was killed): whatever a
 * synth writes to the temp dir, of ours or of CDK's, goes with it.
 */
export function withScratchTmpdir<T>(body: () => T): T {
  scratch ??= processTempDir('commerce-synth-');
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = scratch;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}
