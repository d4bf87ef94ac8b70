/**
 * Seconds from `npm start` to its ready line: cold (a fresh assembly directory each time, so the
 * app is synthesized) and warm (the same directory again, the app unchanged since the last start),
 * median of N starts each, interleaved so machine load hits both alike.
 */
import * as path from 'node:path';
import { node24 } from './node24';
import { startApp } from './offline';
import { median, ratio, table } from './stats';
import { withTempDir } from './synth';

async function readySeconds(node: string, outdir: string): Promise<{ seconds: number; lines: string[] }> {
  const app = await startApp(node, outdir);
  await app.stop();
  return { seconds: app.seconds, lines: app.lines };
}

export async function benchStartup({ runs, log }: { runs: number; log: (line: string) => void }): Promise<void> {
  const node = node24(log);
  await withTempDir('commerce-bench-startup-', async (dir) => {
    const warmDir = path.join(dir, 'warm');
    await readySeconds(node, warmDir); // primes the warm directory
    const cold: number[] = [];
    const warm: number[] = [];
    let lastWarm: string[] = [];
    for (let run = 1; run <= runs; run++) {
      cold.push((await readySeconds(node, path.join(dir, `cold-${run}`))).seconds);
      const warmStart = await readySeconds(node, warmDir);
      warm.push(warmStart.seconds);
      lastWarm = warmStart.lines;
      log(`startup: run ${run}/${runs}: cold ${cold.at(-1)!.toFixed(2)} s, warm ${warm.at(-1)!.toFixed(2)} s`);
    }
    const row = (name: string, samples: number[]) => [
      name,
      median(samples).toFixed(2),
      Math.min(...samples).toFixed(2),
      Math.max(...samples).toFixed(2),
      ratio(median(samples), median(cold)),
    ];
    log(`last warm start said:\n${lastWarm.map((line) => `  ${line}`).join('\n')}`);
    log(table(['npm start → ready', 'median s', 'min s', 'max s', '×cold'], [row('cold (synthesizes)', cold), row('warm (app unchanged)', warm)]));
  });
}
