/**
 * `npm test`: the type check and the lint run beside the test suites instead of before them,
 * at a lower CPU priority, so they fill the cycles the suites leave idle while they wait on
 * DynamoDB Local, the offline runtime and the sagas; both keep their caches under .cache/ (tsc's
 * build info, ESLint's per-file results), so a re-run checks only what changed. Their output is
 * printed whole when each ends; the run fails if any of the three does. Arguments go to vitest.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const bin = (name: string) => path.join(ROOT, 'node_modules', '.bin', name);

interface Check {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
}

/**
 * The same checks as `npm run typecheck` and `npm run lint`, with their caches. The type check is
 * TypeScript 7's native compiler (`typescript-native`, the `typescript` package 7.x under another
 * name), single-threaded: about 6 s of CPU where TypeScript 6's tsc took 27 s, here where every
 * core is busy with the suites. TypeScript 6 stays installed as `typescript` for typescript-eslint
 * and editors, which need its JavaScript API (7.x has none yet); both accept the same code.
 */
export const CHECKS: readonly Check[] = [
  {
    name: 'typecheck',
    command: process.execPath,
    args: [path.join(ROOT, 'node_modules', 'typescript-native', 'bin', 'tsc'), '--noEmit', '--singleThreaded', '--incremental', '--tsBuildInfoFile', '.cache/tsc/tsbuildinfo-7'],
  },
  { name: 'lint', command: bin('eslint'), args: ['--cache', '--cache-location', '.cache/eslint/', '.'] },
];

/** Runs a check with its output kept for the end: vitest's live output stays readable. */
function runCheck(check: Check): Promise<{ check: Check; code: number; output: string }> {
  const child = spawn(check.command, check.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    setPriority(child.pid!, 10);
  } catch {
    // Not allowed here (some containers): it still runs, only at the suites' priority.
  }
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return exitOf(child).then((code) => ({ check, code, output }));
}

function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    child.once('error', (error) => {
      console.error(error);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  const checks = CHECKS.map((check) =>
    runCheck(check).then((result) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const verdict = result.code === 0 ? 'passed' : `FAILED (exit ${result.code})`;
      process.stdout.write(`\n${result.output.trimEnd()}${result.output.trim() ? '\n' : ''}npm test: ${check.name} ${verdict} after ${seconds} s\n`);
      return result.code;
    }),
  );
  const vitest = exitOf(spawn(bin('vitest'), ['run', ...process.argv.slice(2)], { cwd: ROOT, stdio: 'inherit' }));
  const codes = await Promise.all([vitest, ...checks]);
  console.log(`npm test: ${codes.every((code) => code === 0) ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return codes.find((code) => code !== 0) ?? 0;
}

void main().then((code) => process.exit(code));
