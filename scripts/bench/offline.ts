/**
 * `npm start` as a child process on Node 24 (a free port, quiet, its assembly in `outdir`), for
 * the load and startup parts: resolves once it prints its ready line, with how long that took.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './synth';

const READY = /Commerce is ready at (http\S+)/;
const READY_TIMEOUT_MS = 180_000;

export interface StartedApp {
  readonly url: string;
  readonly seconds: number;
  /** Every line it printed until ready (phase times, notices). */
  readonly lines: string[];
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
}

/** @param root the project to start: this one, or a baseline tree (baseline-tree.ts). */
export function startApp(node: string, outdir: string, extraArgs: readonly string[] = [], root = ROOT): Promise<StartedApp> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, ['--import', 'tsx', 'local/start.ts', '--port', '0', '--quiet', '--outdir', outdir, ...extraArgs], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stop = stopper(child);
    const lines: string[] = [];
    let errors = '';
    const timeout = setTimeout(() => {
      void stop();
      reject(new Error(`npm start was not ready within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    let buffered = '';
    child.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const complete = buffered.split('\n');
      buffered = complete.pop()!;
      for (const line of complete) {
        lines.push(line);
        const ready = READY.exec(line);
        if (!ready) continue;
        clearTimeout(timeout);
        resolve({ url: ready[1]!, seconds: Number(process.hrtime.bigint() - started) / 1e9, lines, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timeout);
      reject(new Error(`npm start exited with ${code} before it was ready: ${errors.trim()}`));
    });
  });
}

