/**
 * The offline runtime as a whole process, seen only through its command line and HTTP: it
 * starts, serves the app, and on SIGTERM/SIGINT exits 0 leaving nothing behind (DynamoDB Local's
 * JVM above all, which would otherwise hold its port and memory until killed by hand). It also
 * fails fast and clearly when Java is missing or an option is wrong.
 *
 * Each start has an outdir of its own (other suites use cdk.out meanwhile) and takes the app's
 * assembly from the assembly cache (local/synth.ts) as `npm start` does: the app is synthesized
 * with the e2e suite's context, so that a test run synthesizes it once for both. The tests run one
 * after another.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectTo } from '../support/connect';
import { runtimeContext } from '../e2e/support/global-runtime';

const ROOT = path.resolve(__dirname, '../..');
const START_ARGS = ['--import', 'tsx', 'local/start.ts'];
const READY_LINE = /Commerce is ready at (http\S+) \(in ([\d.]+) s/;
const KEPT_LINE = /demo data kept for the next start of this app/;
const RESTORED_LINE = /demo data restored from the last start's seed/;
// README's defaults, as local/start.ts has them; not imported so that this file exercises only
// the command line (importing start.ts would run it).
const DEFAULT_ADMIN = { email: 'admin@commerce.test', password: 'commerce-admin-password' };
const CUSTOM_ADMIN = { email: 'lifecycle-admin@example.test', password: 'lifecycle-secret-42' };

// The DynamoDB Local server (local/dynamodb/Launcher.java run against the jar), not the one-off
// `java -m jdk.compiler/...` that compiles the launcher into the cache on a first run.
const DYNAMODB_LOCAL = /(^|\/)java\s.*DynamoDBLocal\.jar.*\sLauncher\s+\d+$/;

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
// Interrupted while it loads its modules (DynamoDB Local's JVM boots meanwhile when the app is
// unchanged), the runtime handles the signal once that synchronous require chain has ended: about
// a second on a quiet machine, 6 to 12 s at load 30 to 50 on 2 cores.
const STOP_WHILE_LOADING_TIMEOUT_MS = 30_000;
const FAIL_FAST_TIMEOUT_MS = 20_000;
// How long an orphan may take to be reaped after the runtime exits (esbuild's service notices
// its closed stdin, a SIGKILLed JVM is collected by init).
const REAP_TIMEOUT_MS = 5_000;
const OUTPUT_LIMIT = 64 * 1024;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A started `local/start.ts`: its output, its exit, and every process it started meanwhile. */
interface RuntimeProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<Exit>;
  output(): string;
  /** pid → command line of every descendant seen while the runtime ran. */
  readonly descendants: Map<number, string>;
  startedAt: number;
}

const launched: RuntimeProcess[] = [];
const outdirs: string[] = [];

let sharedOutdir: string | undefined;

/**
 * @param shareAssembly starts that run to the ready line share one outdir, as `npm start` reuses
 *   cdk.out (and the demo data an earlier start kept there); the others copy the cached assembly.
 */
/** A parent that starts the runtime with its own output and then only waits: the test can kill it outright. */
const PARENT_SCRIPT = "require('node:child_process').spawn(process.execPath, JSON.parse(process.argv[1]), { stdio: 'inherit' }); setInterval(() => {}, 60_000);";

/**
 * @param viaParent `child` is a parent process that started the runtime (see PARENT_SCRIPT), not the runtime.
 */
function launch(args: string[], env: NodeJS.ProcessEnv, shareAssembly = false, viaParent = false): RuntimeProcess {
  const startedAt = Date.now();
  // Its own cloud assembly: other suites read and write the project's cdk.out meanwhile.
  const outdir = shareAssembly && sharedOutdir !== undefined ? sharedOutdir : mkdtempSync(path.join(tmpdir(), 'commerce-lifecycle-'));
  if (outdir !== sharedOutdir) outdirs.push(outdir);
  if (shareAssembly) sharedOutdir = outdir;
  const command = [...START_ARGS, '--outdir', outdir, ...args];
  const child = spawn(process.execPath, viaParent ? ['-e', PARENT_SCRIPT, JSON.stringify(command)] : command, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not spawn local/start.ts');
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > OUTPUT_LIMIT) output = output.slice(-OUTPUT_LIMIT);
  };
  // Both pipes are drained for the whole life of the child, or it would block on a full pipe.
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);

  const descendants = new Map<number, string>();
  const pid = child.pid;
  const track = () => {
    for (const descendant of descendantsOf(pid)) noteCommandLine(descendants, descendant);
  };
  track();
  // Polled rather than read once: the JVM and esbuild come and go while the runtime starts.
  const tracker = setInterval(track, 100);
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      clearInterval(tracker);
      resolve({ code, signal });
    });
  });
  const runtime: RuntimeProcess = { child, pid, exited, output: () => output, descendants, startedAt };
  launched.push(runtime);
  return runtime;
}

/** Children of every thread (Node spawns from several), recursively; empty once `pid` is gone. */
function descendantsOf(pid: number): number[] {
  const found: number[] = [];
  const pending = [pid];
  // Bounded: a process tree deeper or wider than this is itself a failure worth seeing.
  for (let visited = 0; pending.length > 0 && visited < 1_000; visited++) {
    const parent = pending.pop()!;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${parent}/task`);
    } catch {
      continue; // exited meanwhile
    }
    for (const task of tasks) {
      let children: string;
      try {
        children = readFileSync(`/proc/${parent}/task/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(/\s+/).filter(Boolean).map(Number)) {
        if (!found.includes(child)) {
          found.push(child);
          pending.push(child);
        }
      }
    }
  }
  return found;
}

/**
 * Records what `pid` runs now. A child caught between fork and exec has no command line yet
 * (only its parent thread's name, e.g. "[MainThread]"), and a zombie has none any more: such a
 * reading never replaces a real one, and a real one always replaces it.
 */
function noteCommandLine(descendants: Map<number, string>, pid: number): void {
  const now = commandLine(pid);
  const known = descendants.get(pid);
  if (known === undefined || !isPlaceholder(now)) descendants.set(pid, now);
}

function isPlaceholder(command: string): boolean {
  return command.startsWith('[') || command === '(exited)';
}

function commandLine(pid: number): string {
  try {
    // A process that already exited (a zombie until reaped) has an empty cmdline but keeps its name.
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return command || `[${readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`;
  } catch {
    return '(exited)';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 only checks that the process exists
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** The pids (with command lines) still alive after a grace period; empty when all are gone. */
async function survivors(pids: Map<number, string>): Promise<string[]> {
  const deadline = Date.now() + REAP_TIMEOUT_MS;
  let alive = [...pids.keys()].filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await delay(100);
    alive = alive.filter(isAlive);
  }
  return alive.map((pid) => `${pid}: ${pids.get(pid)}`);
}

/** e.g. "java, esbuild; assembly cached": what the runtime started and where its assembly came from, for the timings line. */
function programs(runtime: RuntimeProcess): string {
  const names = [...runtime.descendants.values()].map((command) => path.basename(command.split(' ')[0] ?? ''));
  const assembly = /reusing|copied from the cache|synthesized/.exec(runtime.output())?.[0] ?? 'not yet taken';
  return `${names.length > 0 ? names.join(', ') : 'none'}; assembly: ${assembly}`;
}

/** The phases the ready line reports, e.g. "services 3.1 s, then side by side admin 0.4 s and seed 2.2 s, settled 1.3 s". */
function phases(runtime: RuntimeProcess): string {
  return /Commerce is ready at \S+ \(in [\d.]+ s: ([^;]+);/.exec(runtime.output())?.[1] ?? 'none reported';
}

function tail(runtime: RuntimeProcess): string {
  return `\n--- output of local/start.ts ---\n${runtime.output().split('\n').slice(-40).join('\n')}`;
}

/** The API's base URL and the start time the runtime reports; SIGKILLs the child on timeout. */
async function waitForReady(runtime: RuntimeProcess): Promise<{ url: string; seconds: number; wallSeconds: number }> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const ready = READY_LINE.exec(runtime.output());
    if (ready) return { url: ready[1]!, seconds: Number(ready[2]), wallSeconds: (Date.now() - runtime.startedAt) / 1000 };
    if (runtime.child.exitCode !== null || runtime.child.signalCode !== null) {
      throw new Error(`local/start.ts exited (${runtime.child.exitCode ?? runtime.child.signalCode}) before it was ready${tail(runtime)}`);
    }
    await delay(100);
  }
  runtime.child.kill('SIGKILL');
  throw new Error(`local/start.ts was not ready within ${READY_TIMEOUT_MS / 1000} s${tail(runtime)}`);
}

/**
 * What the API answers about the demo data: the catalog (all, and one category), a search, every
 * product's stock, the administrator's login status; and whether the app goes on working from it,
 * every product having one stock record that a restock changes (a change the stream relays).
 */
type Answer = Awaited<ReturnType<typeof request>>;
interface DemoAnswers {
  readonly all: Answer;
  readonly kitchen: Answer;
  readonly search: Answer;
  /** Each product's stock record, in the order of `all`'s items. */
  readonly stock: unknown[];
  readonly login: number;
}

async function demoAnswers(url: string): Promise<DemoAnswers> {
  const all = await request(`${url}/products?limit=100`);
  const ids = (all.body as { items: { id: string }[] }).items.map((item) => item.id);
  const stock: unknown[] = [];
  // One after another: 36 at once meet cold starts that a loaded 2-core machine may time out.
  for (const id of ids) stock.push((await request(`${url}/inventory/${id}`)).body);
  return {
    all,
    kitchen: await request(`${url}/products?category=kitchen&limit=100`),
    search: await request(`${url}/products/search?q=cafe%20cr`),
    stock,
    login: (await login(url, DEFAULT_ADMIN)).status,
  };
}

let seededAnswers: DemoAnswers | undefined;

/** Its exit, within `timeoutMs`; otherwise SIGKILLs it and fails. */
async function waitForExit(runtime: RuntimeProcess, timeoutMs: number): Promise<Exit & { seconds: number }> {
  const started = Date.now();
  const timeout = delay(timeoutMs, 'timeout' as const, { ref: false });
  const result = await Promise.race([runtime.exited, timeout]);
  if (result === 'timeout') {
    runtime.child.kill('SIGKILL');
    throw new Error(`local/start.ts did not exit within ${timeoutMs / 1000} s${tail(runtime)}`);
  }
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

/** Waits until DynamoDB Local's JVM is among the runtime's descendants: the moment a half-started runtime could orphan it. */
async function untilDynamoDbLocalRuns(runtime: RuntimeProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (![...runtime.descendants.values()].some((command) => DYNAMODB_LOCAL.test(command))) {
    if (Date.now() > deadline || runtime.child.exitCode !== null || runtime.child.signalCode !== null) throw new Error(`DynamoDB Local never started${tail(runtime)}`);
    await delay(50);
  }
}

async function request(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    ...init,
    headers: { 'Content-Type': 'application/json', ...init.headers },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const login = (url: string, admin: { email: string; password: string }) =>
  request(`${url}/auth/login`, { method: 'POST', body: JSON.stringify(admin) });

function baseEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  // The e2e runtime's context: the same app and context, so one synth (in the assembly cache) serves both.
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_CONTEXT_JSON: runtimeContext(), CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: '1' };
  // The runtime must get its settings from this test only.
  delete env.PORT;
  delete env.COMMERCE_ADMIN_EMAIL;
  delete env.COMMERCE_ADMIN_PASSWORD;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Stops it with `signal` and checks the clean exit: code 0, nothing left running, port closed. */
async function expectCleanStop(runtime: RuntimeProcess, url: string, signal: NodeJS.Signals): Promise<number> {
  // A last look, so nothing started late escapes the check.
  for (const pid of descendantsOf(runtime.pid)) noteCommandLine(runtime.descendants, pid);
  const javas = [...runtime.descendants.values()].filter((command) => DYNAMODB_LOCAL.test(command));
  expect(javas, `DynamoDB Local should be a descendant of the runtime; saw ${[...runtime.descendants.values()].join(' | ')}`).toHaveLength(1);

  runtime.child.kill(signal);
  const exit = await waitForExit(runtime, STOP_TIMEOUT_MS);
  // Soft, so a wrong exit status still reports whether anything was left running.
  expect.soft({ code: exit.code, signal: exit.signal }, `exit after ${signal}${tail(runtime)}`).toEqual({ code: 0, signal: null });
  expect(runtime.output()).toContain(`${signal}: stopping`);
  expect(await survivors(runtime.descendants), 'processes the runtime started are still running').toEqual([]);
  const { hostname, port } = new URL(url);
  expect(await connectTo(hostname, Number(port))).toBe('ECONNREFUSED');
  return exit.seconds;
}

const timings: string[] = [];

afterEach(async () => {
  // A failed test must not leave a runtime (or its JVM) behind for the next one.
  for (const runtime of launched.splice(0)) {
    if (runtime.child.exitCode === null && runtime.child.signalCode === null) {
      runtime.child.kill('SIGKILL');
      await Promise.race([runtime.exited, delay(5_000)]);
    }
    for (const [pid, command] of runtime.descendants) {
      // Only if the pid still runs what we saw: after a clean stop it may belong to someone else.
      if (!isAlive(pid) || commandLine(pid) !== command) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile, which is what we want
      }
    }
  }
});

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

afterAll(() => {
  if (timings.length > 0) console.log(`runtime lifecycle timings:\n  ${timings.join('\n  ')}`);
});

describe('the offline runtime as a process (local/start.ts)', { concurrent: false }, () => {
  it('starts without the demo catalog, creates the admin from the environment, and exits 0 on SIGTERM leaving nothing behind', async () => {
    const runtime = launch(
      ['--port', '0', '--quiet', '--no-seed'],
      baseEnv({ COMMERCE_ADMIN_EMAIL: CUSTOM_ADMIN.email, COMMERCE_ADMIN_PASSWORD: CUSTOM_ADMIN.password }),
      true,
    );
    const ready = await waitForReady(runtime);
    // Lambda runs the functions on nodejs24.x: on that major not a word about Node, on any other
    // exactly one line; and no process warning at all (the AWS SDK warns on a Node it is dropping).
    const hostMajor = Number(process.versions.node.split('.')[0]);
    expect(runtime.output().match(/runs the functions here, Lambda runs them on nodejs24\.x/g) ?? []).toHaveLength(hostMajor === 24 ? 0 : 1);
    expect(runtime.output()).not.toMatch(/\(node:\d+\) .*Warning/);
    // The functions' environments held at the machine's cores, said at start (a machine of 10 or more has Lambda's scaling, unsaid).
    const cores = Math.min(10, availableParallelism());
    expect(runtime.output().includes(`functions: ${cores} execution environment(s) each at once`)).toBe(cores < 10);

    const products = await request(`${ready.url}/products`);
    expect(products).toEqual({ status: 200, body: { items: [], nextCursor: null } });
    expect((await login(ready.url, CUSTOM_ADMIN)).status).toBe(200);
    expect((await login(ready.url, DEFAULT_ADMIN)).status).toBe(401);

    const stopSeconds = await expectCleanStop(runtime, ready.url, 'SIGTERM');
    timings.push(
      `--no-seed: ready in ${ready.seconds} s (reported: ${phases(runtime)}), ${ready.wallSeconds.toFixed(1)} s (spawn to ready line); SIGTERM exit in ${stopSeconds.toFixed(2)} s; started ${programs(runtime)}`,
    );
  }, READY_TIMEOUT_MS + 60_000);

  it('seeds the demo catalog by default, keeps it once settled, and exits 0 on SIGINT leaving nothing behind', async () => {
    const runtime = launch(['--port', '0', '--quiet'], baseEnv(), true);
    const ready = await waitForReady(runtime);
    expect(runtime.output()).toMatch(/seeded 36 demo products with stock/);
    // Ready means settled and kept: a client calling at once finds the whole seed (stock, search)
    // and cannot spoil the keeping, whose tables must be the seed's alone.
    expect(runtime.output()).toMatch(KEPT_LINE);
    // What the API answers right after ready, checked here and compared with the next start's.
    const { all, kitchen, stock, login: loginStatus } = (seededAnswers = await demoAnswers(ready.url));

    expect(all.status).toBe(200);
    expect((all.body as { items: unknown[] }).items).toHaveLength(36);
    expect(kitchen.status).toBe(200);
    const kitchenItems = (kitchen.body as { items: { category: string }[] }).items;
    expect(kitchenItems).toHaveLength(8);
    expect(kitchenItems.every((item) => item.category === 'kitchen')).toBe(true);
    // Ready means stocked: the inventory consumer made each product's record, then the restock.
    const ids = (all.body as { items: { id: string }[] }).items.map((item) => item.id);
    expect(stock).toHaveLength(ids.length);
    ids.forEach((id, index) => expect(stock[index]).toMatchObject({ productId: id, available: 25 }));
    expect(loginStatus).toBe(200);

    const stopSeconds = await expectCleanStop(runtime, ready.url, 'SIGINT');
    timings.push(
      `seeded: ready in ${ready.seconds} s (reported: ${phases(runtime)}), ${ready.wallSeconds.toFixed(1)} s (spawn to ready line); SIGINT exit in ${stopSeconds.toFixed(2)} s; started ${programs(runtime)}`,
    );
  }, 2 * READY_TIMEOUT_MS + 60_000);

  it('restores the demo data the last start of the unchanged app kept: the API answers as after that seed, and the app works on from it', async () => {
    expect(seededAnswers, 'the seeded start before this one kept its demo data').toBeDefined();
    const runtime = launch(['--port', '0', '--quiet'], baseEnv(), true);
    const ready = await waitForReady(runtime);
    expect(runtime.output()).toMatch(RESTORED_LINE);
    expect(runtime.output()).not.toMatch(/seeded \d+ demo products/);
    expect(await demoAnswers(ready.url)).toEqual(seededAnswers);

    // The tables' streams are on again: a new product's ProductCreated is relayed, and inventory makes its stock record.
    const token = ((await login(ready.url, DEFAULT_ADMIN)).body as { accessToken: string }).accessToken;
    const created = await request(`${ready.url}/products`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Lifecycle Lamp', description: 'Made after a restore', category: 'home', priceCents: 1000, currency: 'USD', sku: 'LIFECYCLE-LAMP' }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = (created.body as { id: string }).id;
    const deadline = Date.now() + 30_000;
    while ((await request(`${ready.url}/inventory/${id}`)).status !== 200) {
      expect(Date.now(), 'no stock record for a product created after the restore').toBeLessThan(deadline);
      await delay(200);
    }

    const stopSeconds = await expectCleanStop(runtime, ready.url, 'SIGTERM');
    timings.push(`restored: ready in ${ready.seconds} s (reported: ${phases(runtime)}), ${ready.wallSeconds.toFixed(1)} s (spawn to ready line); SIGTERM exit in ${stopSeconds.toFixed(2)} s; started ${programs(runtime)}`);
  }, READY_TIMEOUT_MS + 60_000);

  it('stops cleanly when interrupted while still starting (Ctrl+C during the first seconds)', async () => {
    const runtime = launch(['--port', '0', '--quiet', '--no-seed'], baseEnv());
    // Interrupt once DynamoDB Local's JVM runs: the moment a half-started runtime could orphan it.
    await untilDynamoDbLocalRuns(runtime);
    const interruptedBeforeReady = !READY_LINE.test(runtime.output());
    runtime.child.kill('SIGINT');
    const exit = await waitForExit(runtime, STOP_WHILE_LOADING_TIMEOUT_MS);
    expect(await survivors(runtime.descendants), 'processes the runtime started are still running').toEqual([]);
    expect({ code: exit.code, signal: exit.signal }, tail(runtime)).toEqual({ code: 0, signal: null });
    timings.push(
      `SIGINT while starting (${interruptedBeforeReady ? 'before' : 'after'} the ready line): exit in ${exit.seconds.toFixed(2)} s; started ${programs(runtime)}`,
    );
  }, READY_TIMEOUT_MS + STOP_WHILE_LOADING_TIMEOUT_MS + 15_000);

  it('leaves nothing behind even when SIGKILLed, which runs none of its handlers', async () => {
    const runtime = launch(['--port', '0', '--quiet', '--no-seed'], baseEnv());
    await untilDynamoDbLocalRuns(runtime);
    runtime.child.kill('SIGKILL');
    const exit = await waitForExit(runtime, STOP_TIMEOUT_MS);
    expect(exit.signal).toBe('SIGKILL');
    // DynamoDB Local's launcher and esbuild's service both end when their stdin pipe closes.
    expect(await survivors(runtime.descendants), 'processes the runtime started are still running').toEqual([]);
    timings.push(`SIGKILL while starting: started ${programs(runtime)}`);
  }, READY_TIMEOUT_MS + 30_000);

  it('stops by itself, leaving nothing behind, when the program that started it dies without stopping it', async () => {
    const parent = launch(['--port', '0', '--quiet', '--no-seed'], baseEnv(), true, true);
    const ready = await waitForReady(parent);
    const runtimePid = [...parent.descendants].find(([, command]) => command.includes('local/start.ts'))?.[0];
    expect(runtimePid, tail(parent)).toBeDefined();
    parent.child.kill('SIGKILL');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (isAlive(runtimePid!) && Date.now() < deadline) await delay(100);
    expect(isAlive(runtimePid!), `the runtime (${runtimePid}) still runs without its parent${tail(parent)}`).toBe(false);
    expect(parent.output()).toContain('the process that started this one exited: stopping');
    expect(await survivors(parent.descendants), 'processes the runtime started are still running').toEqual([]);
    const { hostname, port } = new URL(ready.url);
    expect(await connectTo(hostname, Number(port))).toBe('ECONNREFUSED');
  }, READY_TIMEOUT_MS + 30_000);

  describe('without Java on the PATH', () => {
    let nodeOnly: string;

    beforeAll(async () => {
      // A folder with only `node`, so anything that looks node up still finds it; we spawn
      // process.execPath directly anyway.
      nodeOnly = await mkdtemp(path.join(tmpdir(), 'runtime-lifecycle-path-'));
      await symlink(process.execPath, path.join(nodeOnly, 'node'));
    });

    afterAll(async () => {
      await rm(nodeOnly, { recursive: true, force: true });
    });

    it('exits non-zero within seconds, saying Java 17 is needed and how to install it, and leaves nothing behind', async () => {
      const withoutJava = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir && !isExecutable(path.join(dir, 'java')));
      const env = baseEnv({ PATH: [nodeOnly, ...withoutJava].join(path.delimiter), JAVA_HOME: undefined });
      const runtime = launch(['--port', '0', '--quiet', '--no-seed'], env);

      const exit = await waitForExit(runtime, FAIL_FAST_TIMEOUT_MS);
      expect(exit.code, tail(runtime)).not.toBe(0);
      expect(exit.code, tail(runtime)).not.toBeNull();
      expect(runtime.output()).toMatch(/Java 17/);
      expect(runtime.output()).toMatch(/install/i);
      expect(runtime.output()).toMatch(/openjdk/i);
      expect(runtime.output()).not.toMatch(READY_LINE);
      expect(await survivors(runtime.descendants)).toEqual([]);
      timings.push(`no Java: exit ${exit.code} in ${exit.seconds.toFixed(2)} s; started ${programs(runtime)}`);
    }, FAIL_FAST_TIMEOUT_MS + 15_000);
  });

  it.each([
    ['an --environments that is not a number from 1 to 10', ['--environments', '0'], '--environments must be a number from 1 to 10, not "0"'],
    ['a --retry-interval that is not STATE=MILLISECONDS', ['--retry-interval', 'ReleaseStock=soon'], '--retry-interval must be STATE=MILLISECONDS, not "ReleaseStock=soon"'],
  ])('rejects %s, naming the option, before starting anything', async (_what, option, message) => {
    const runtime = launch(['--port', '0', ...option, '--quiet', '--no-seed'], baseEnv());
    const exit = await waitForExit(runtime, FAIL_FAST_TIMEOUT_MS);
    expect(exit.code, tail(runtime)).not.toBe(0);
    expect(exit.code, tail(runtime)).not.toBeNull();
    expect(runtime.output()).toContain(message);
    expect([...runtime.descendants.values()].filter((command) => /java/.test(command))).toEqual([]);
  }, FAIL_FAST_TIMEOUT_MS + 15_000);

  it('rejects an invalid --port, naming the option, before starting anything', async () => {
    const runtime = launch(['--port', 'abc', '--quiet', '--no-seed'], baseEnv());
    const exit = await waitForExit(runtime, FAIL_FAST_TIMEOUT_MS);
    expect(exit.code, tail(runtime)).not.toBe(0);
    expect(exit.code, tail(runtime)).not.toBeNull();
    expect(runtime.output()).toContain('--port');
    expect(runtime.output()).toContain('abc');
    expect([...runtime.descendants.values()].filter((command) => /java/.test(command))).toEqual([]);
    expect(await survivors(runtime.descendants)).toEqual([]);
    timings.push(`--port abc: exit ${exit.code} in ${exit.seconds.toFixed(2)} s; started ${programs(runtime)}`);
  }, FAIL_FAST_TIMEOUT_MS + 15_000);
});

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
