/**
 * Vitest globalSetup of the end-to-end project: with E2E_BASE_URL set, the suite runs against
 * that target as is; without it, the offline runtime is started exactly as `npm start` does
 * (a child process on a free port) and stopped after the run, children included. Offline, every
 * event is delivered twice (--duplicate-events), so every assertion on counts and states also
 * proves the consumers idempotent; and every event published on the bus is logged to the file
 * named by E2E_EVENTS_LOG (--events-log), the suite's one view of the bus (support/events.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';

const ROOT = path.resolve(__dirname, '../../..');
const START_TIMEOUT_MS = 180_000;
export const READY_LINE = /Commerce is ready at (http\S+)/;

function waitForReady(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const recent: string[] = [];
    const timer = setTimeout(() => fail(new Error(`the offline runtime was not ready within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(new Error(`${error.message}\n--- last output ---\n${recent.join('\n')}`));
    };
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        recent.push(line);
        if (recent.length > 40) recent.shift();
        const ready = READY_LINE.exec(line);
        if (ready) {
          clearTimeout(timer);
          resolve(ready[1]!);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`the offline runtime exited with code ${code} before it was ready`)));
  });
}

export default async function setup(_project: TestProject): Promise<() => Promise<void>> {
  if (process.env.E2E_BASE_URL) return async () => {};
  // Its own cloud assembly, so nothing else that synthesizes into cdk.out meanwhile disturbs it.
  const outdir = mkdtempSync(path.join(tmpdir(), 'commerce-e2e-'));
  // What the runtime publishes on its bus, for tests that check an event was published (see events.ts).
  const eventsLog = path.join(outdir, 'events.jsonl');
  const child = spawn(process.execPath, [
    '--import', 'tsx', 'local/start.ts', '--port', '0', '--quiet', '--duplicate-events', '--outdir', outdir, '--events-log', eventsLog,
  ], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1' },
  });
  try {
    process.env.E2E_BASE_URL = await waitForReady(child);
    process.env.E2E_EVENTS_LOG = eventsLog;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  // Keep draining output so the child never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timeout);
    rmSync(outdir, { recursive: true, force: true });
  };
}
