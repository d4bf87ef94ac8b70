/**
 * Vitest globalSetup of the end-to-end project: with E2E_BASE_URL set, the suite runs against
 * that target as is; without it, the offline runtime is started exactly as `npm start` does
 * (a child process on a free port) and stopped after the run, children included. Offline, every
 * event is delivered twice (--duplicate-events), so every assertion on counts and states also
 * proves the consumers idempotent; and every event published on the bus is logged to the file
 * named by E2E_EVENTS_LOG (--events-log), the suite's one view of the bus (support/events.ts).
 *
 * The runtime runs the functions on its own Node. When that is not the major Lambda runs them on
 * (it says so in one line, read from the synthesized functions' Runtime), it is restarted on
 * Lambda's major, which .ci/node.sh provides: what the suite tests is what ships.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';
import { JVM_PROFILE_ENV } from '../../../local/dynamodb/local-dynamodb';
import { NODE_MISMATCH_LINE } from '../../../local/lambda/node-parity';
import { MIN_PASSWORD_HASH_COST } from '../../../functions/users/users-config';

const ROOT = path.resolve(__dirname, '../../..');
const START_TIMEOUT_MS = 180_000;
export const READY_LINE = /Commerce is ready at (http\S+)/;

/** Ready at a URL, or told that the functions' Node major (Lambda's) is not the one it runs on. */
type Start = { url: string } | { lambdaNodeMajor: number };

/**
 * The context the runtime's app is synthesized with: new passwords hashed at the cheapest cost a
 * stack may set (every test user registers and logs in: at production strength that is tens of
 * ms of CPU each, the users stack's test proves the default), then whatever CDK_CONTEXT_JSON adds.
 */
export function runtimeContext(fromEnvironment = process.env.CDK_CONTEXT_JSON): string {
  return JSON.stringify({ passwordHashCost: MIN_PASSWORD_HASH_COST, ...(fromEnvironment ? (JSON.parse(fromEnvironment) as object) : {}) });
}

/**
 * The runtime's environment: this process's, the synth context, and DynamoDB Local's JVM tuned
 * for a test run's few minutes (local/dynamodb/local-dynamodb.ts JvmProfile) rather than for
 * `npm start`'s sustained load.
 */
export function runtimeEnvironment(context: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, CDK_CONTEXT_JSON: context, CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1', [JVM_PROFILE_ENV]: 'short-lived' };
}

/**
 * The compensation the ops suite fails on purpose to get an order flagged (ops.e2e.test.ts): its
 * six retries back off over up to a minute and a half, which shows nothing the saga's flagging
 * does not (the template's tests check the Retry itself), so offline they follow each other at once.
 */
export const FAST_RETRY_STATE = 'ReleaseStockPaymentDeclined';

function startRuntime(node: string, outdir: string, eventsLog: string, context: string): ChildProcess {
  const args = ['--import', 'tsx', 'local/start.ts', '--port', '0', '--quiet', '--duplicate-events', '--outdir', outdir, '--events-log', eventsLog, '--retry-interval', `${FAST_RETRY_STATE}=100`];
  return spawn(node, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: runtimeEnvironment(context) });
}

function waitForStart(child: ChildProcess): Promise<Start> {
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
        const mismatch = NODE_MISMATCH_LINE.exec(line);
        if (ready || mismatch) {
          clearTimeout(timer);
          resolve(ready ? { url: ready[1]! } : { lambdaNodeMajor: Number(mismatch![2]) });
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`the offline runtime exited with code ${code} before it was ready`)));
  });
}

async function stopRuntime(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timeout = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timeout);
}

/** The `node` .ci/node.sh provides (the machine's own Node 24, or one it fetched into .cache/). */
function lambdaNode(major: number): string {
  const mismatch = `Lambda runs the functions on nodejs${major}.x, this is Node ${process.versions.node}`;
  try {
    return execFileSync('bash', [path.join(ROOT, '.ci', 'node.sh'), '--which'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  } catch (error) {
    throw new Error(`${mismatch}, and .ci/node.sh could not provide Node ${major}: run the suite on Node ${major}`, { cause: error });
  }
}

/** Starts the runtime, on Lambda's Node major if this process runs another one. */
async function startOnLambdaNode(outdir: string, eventsLog: string, context: string): Promise<{ child: ChildProcess; url: string }> {
  let node = process.execPath;
  for (let attempt = 1; ; attempt++) {
    const child = startRuntime(node, outdir, eventsLog, context);
    let start: Start;
    try {
      start = await waitForStart(child);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    if ('url' in start) return { child, url: start.url };
    await stopRuntime(child);
    if (attempt > 1) {
      throw new Error(`${node} (from .ci/node.sh) is not Node ${start.lambdaNodeMajor} either, which Lambda runs the functions on: update NODE_WANTED there`);
    }
    node = lambdaNode(start.lambdaNodeMajor);
    console.log(`e2e: Lambda runs the functions on nodejs${start.lambdaNodeMajor}.x, this is Node ${process.versions.node}: restarting the offline runtime on ${node}`);
  }
}

export default async function setup(_project: TestProject): Promise<() => Promise<void>> {
  if (process.env.E2E_BASE_URL) return async () => {};
  // Its own cloud assembly, so nothing else that synthesizes into cdk.out meanwhile disturbs it:
  // copied from the assembly cache (local/synth.ts) when an earlier start synthesized the
  // unchanged app with this context, as `npm start` reuses an unchanged cdk.out.
  const outdir = mkdtempSync(path.join(tmpdir(), 'commerce-e2e-'));
  const context = runtimeContext();
  // What the runtime publishes on its bus, for tests that check an event was published (see events.ts).
  const eventsLog = path.join(outdir, 'events.jsonl');
  const { child, url } = await startOnLambdaNode(outdir, eventsLog, context);
  process.env.E2E_BASE_URL = url;
  process.env.E2E_EVENTS_LOG = eventsLog;
  // Keep draining output so the child never blocks on a full pipe.
  child.stdout!.resume();
  child.stderr!.resume();
  return async () => {
    await stopRuntime(child);
    rmSync(outdir, { recursive: true, force: true });
  };
}
