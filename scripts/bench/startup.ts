/**
 * Seconds from `npm start` to its ready line: cold (a fresh assembly directory each time, so the
 * app is synthesized) and warm (the same directory again, the app unchanged since the last start),
 * median of N starts each, interleaved so machine load hits both alike. With --baseline REV, that
 * revision's warm start too, interleaved with this tree's (its own worktree and cache).
 */
import * as path from 'node:path';
import { withBaselineTree } from './baseline-tree';
import { node24 } from './node24';
import { startApp } from './offline';
import { median, ratio, table } from './stats';
import { withTempDir } from './synth';

async function readySeconds(node: string, outdir: string, root?: string, args: readonly string[] = []): Promise<{ seconds: number; lines: string[] }> {
  const app = await startApp(node, outdir, args, root);
  await app.stop();
  return { seconds: app.seconds, lines: app.lines };
}

/** @param baseline a git revision whose warm start is measured too, interleaved with this tree's (baseline-tree.ts). */
export async function benchStartup({ runs, log, baseline }: { runs: number; log: (line: string) => void; baseline?: string }): Promise<void> {
  const node = node24(log);
  const measure = (baseRoot?: string, commit?: string) => withTempDir('commerce-bench-startup-', async (dir) => {
    const warmDir = path.join(dir, 'warm');
    const baseWarmDir = path.join(dir, 'baseline-warm');
    await readySeconds(node, warmDir); // primes the warm directories
    if (baseRoot) await readySeconds(node, baseWarmDir, baseRoot);
    const cold: number[] = [];
    const warm: number[] = [];
    const baseWarm: number[] = [];
    let lastWarm: string[] = [];
    for (let run = 1; run <= runs; run++) {
      // Not from the assembly cache (local/synth.ts), which would spare a fresh directory its synth.
      cold.push((await readySeconds(node, path.join(dir, `cold-${run}`), undefined, ['--no-assembly-cache'])).seconds);
      const warmStart = await readySeconds(node, warmDir);
      warm.push(warmStart.seconds);
      lastWarm = warmStart.lines;
      if (baseRoot) baseWarm.push((await readySeconds(node, baseWarmDir, baseRoot)).seconds);
      log(`startup: run ${run}/${runs}: cold ${cold.at(-1)!.toFixed(2)} s, warm ${warm.at(-1)!.toFixed(2)} s${baseRoot ? `, baseline warm ${baseWarm.at(-1)!.toFixed(2)} s` : ''}`);
    }
    const row = (name: string, samples: number[]) => [
      name,
      median(samples).toFixed(2),
      Math.min(...samples).toFixed(2),
      Math.max(...samples).toFixed(2),
      ratio(median(samples), median(cold)),
      ratio(median(samples), median(warm)),
    ];
    log(`last warm start said:\n${lastWarm.map((line) => `  ${line}`).join('\n')}`);
    const rows = [row('cold (synthesizes)', cold), row('warm (app unchanged)', warm)];
    if (baseRoot) rows.push(row(`baseline ${commit!.slice(0, 7)} warm`, baseWarm));
    log(table(['npm start → ready', 'median s', 'min s', 'max s', '×cold', '×warm'], rows));
  });
  if (baseline === undefined) await measure();
  else await withBaselineTree(baseline, log, (root, commit) => measure(root, commit));
}
