/**
 * Seconds from `npm start` to its ready line, median of 3 cold starts (each synthesizes, boots
 * DynamoDB Local and every emulated service, creates the admin and seeds the demo catalog).
 *
 *   npm run bench:startup [-- --runs 5]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.join(__dirname, '..');
const READY = /Commerce is ready at (http\S+)/;

function startOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const outdir = mkdtempSync(path.join(tmpdir(), 'commerce-bench-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts', '--port', '0', '--quiet', '--outdir', outdir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('not ready within 120 s'));
    }, 120_000);
    let seconds: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      if (seconds !== undefined || !READY.test(chunk.toString())) return;
      seconds = Number(process.hrtime.bigint() - started) / 1e9;
      clearTimeout(timeout);
      child.kill('SIGTERM');
    });
    child.once('exit', (code) => {
      clearTimeout(timeout);
      rmSync(outdir, { recursive: true, force: true });
      if (seconds === undefined) reject(new Error(`npm start exited with ${code} before it was ready`));
      else resolve(seconds);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const runs = Number(values.runs);
  const times: number[] = [];
  for (let run = 1; run <= runs; run++) {
    const seconds = await startOnce();
    times.push(seconds);
    console.log(`run ${run}: ready in ${seconds.toFixed(2)} s`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`startup: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(2)} s over ${runs} runs (min ${sorted[0]!.toFixed(2)}, max ${sorted.at(-1)!.toFixed(2)})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
