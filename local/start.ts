/**
 * `npm start`: the whole app on this machine. Options: --port N (or PORT; default 3000, 0 for
 * a free one), --no-seed (no demo catalog), --quiet (no function logs or request lines),
 * --outdir DIR (where the app is synthesized; default cdk.out), --duplicate-events (every event
 * delivered twice to every target: a fault switch for testing the consumers' idempotency),
 * --events-log FILE (every event published on a bus appended to FILE as a JSON line),
 * --no-throttle (the API stage's throttle lifted, for load tests; offline only),
 * --dynamodb-endpoint URL (a DynamoDB Local already running, used instead of starting one: the cost bench's counting proxy),
 * --fresh (seed the demo catalog even when the last start of the unchanged app kept its demo data),
 * --no-assembly-cache (synthesize unless the outdir holds the unchanged app: no copy from, or into, .cache/assemblies),
 * --environments N (execution environments a function starts at once before an invocation waits
 * for a free one; default: this machine's cores; 10 scales as Lambda does, see local/README.md),
 * --retry-interval STATE=MS (repeatable; a Task state's Retry waits MS between attempts instead of
 * its backoff, in any state machine: tests that fail a step on purpose need not wait out its retries).
 * Once up, it writes <outdir>/local-runtime.json (endpoints and stack outputs) for `npm run ops -- --local`.
 * The first administrator comes from COMMERCE_ADMIN_EMAIL / COMMERCE_ADMIN_PASSWORD.
 * SIGINT, SIGTERM or the exit of the process that started it stops it and everything it started.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { OfflineRuntime } from './runtime';
import { LOCAL_CREDENTIALS, startDynamoDbLocalEarly } from './dynamodb/local-dynamodb';
import { appFingerprint, ASSEMBLY_CACHE, isAssemblyAvailable, isCurrentAssembly } from './synth';

// Lambda runs in UTC; Node applies a TZ change to the whole process, worker threads included.
process.env.TZ = 'UTC';


class UsageError extends Error {}

/** How often the runtime looks whether the program that started it is still there. */
const PARENT_CHECK_MS = 1000;

/**
 * Calls `onGone` once the process that started this one has exited (this one then belongs to
 * init or a subreaper). A test runner or bench killed outright stops no runtime it started, and
 * an orphaned runtime would serve on, holding its port and memory, until killed by hand.
 */
function whenParentExits(onGone: () => void): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, PARENT_CHECK_MS);
  // The watch alone must not keep the process alive.
  timer.unref();
}

/** Lambda's service's own cap per function offline (lambda-service.ts). */
const MAX_ENVIRONMENTS = 10;

/** In the outdir: this runtime's endpoints and stack outputs, for the ops CLI. */
const LOCAL_RUNTIME_FILE = 'local-runtime.json';

function options() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT || '3000' },
      outdir: { type: 'string', default: path.join(__dirname, '..', 'cdk.out') },
      'no-seed': { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'duplicate-events': { type: 'boolean', default: false },
      'events-log': { type: 'string' },
      'no-throttle': { type: 'boolean', default: false },
      'dynamodb-endpoint': { type: 'string' },
      fresh: { type: 'boolean', default: false },
      'no-assembly-cache': { type: 'boolean', default: false },
      environments: { type: 'string' },
      'retry-interval': { type: 'string', multiple: true },
    },
  });
  const port = Number(values.port);
  if (!/^\d{1,5}$/.test(values.port) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${values.port}"`);
  const eventsLog = values['events-log'] === undefined ? undefined : path.resolve(values['events-log']);
  const environments = values.environments ?? String(Math.min(MAX_ENVIRONMENTS, availableParallelism()));
  if (!/^\d{1,2}$/.test(environments) || Number(environments) < 1 || Number(environments) > MAX_ENVIRONMENTS) {
    throw new UsageError(`--environments must be a number from 1 to ${MAX_ENVIRONMENTS}, not "${environments}"`);
  }
  const retryIntervalOverridesMs = retryIntervals(values['retry-interval'] ?? []);
  return { retryIntervalOverridesMs, port, seed: !values['no-seed'], quiet: values.quiet, outdir: path.resolve(values.outdir), duplicateEvents: values['duplicate-events'], eventsLog, stageThrottle: !values['no-throttle'], dynamoEndpoint: values['dynamodb-endpoint'], fresh: values.fresh, assemblyCache: !values['no-assembly-cache'], environments: Number(environments) };
}

/** `--retry-interval STATE=MS` options, by state name; undefined when none is given. */
function retryIntervals(options: readonly string[]): Record<string, number> | undefined {
  if (options.length === 0) return undefined;
  return Object.fromEntries(options.map((option) => {
    const parsed = /^([^=]+)=(\d{1,6})$/.exec(option);
    if (!parsed) throw new UsageError(`--retry-interval must be STATE=MILLISECONDS, not "${option}"`);
    return [parsed[1]!, Number(parsed[2])];
  }));
}

/** How long a stop waits, at most, for a seed to settle so that the next start can restore it. */
const KEEP_ON_STOP_MS = 10_000;

type Admin = { email: string; password: string };

/**
 * Once the seed has settled, keeps the tables for the next start of the unchanged app (demo-data.ts),
 * unless something else ran meanwhile (a client of the API): then the next start seeds again.
 */
async function keepSettledSeed(runtime: OfflineRuntime, outdir: string, admin: Admin & { table: string }, signal: AbortSignal, log: (line: string) => void): Promise<void> {
  const [tables, { adminPasswordHash }, { keepDemoData }] = await Promise.all([
    runtime.settledTables(signal),
    import('../functions/users/adapters/create-admin'),
    import('./demo-data'),
  ]);
  const passwordHash = tables && (await adminPasswordHash(admin));
  if (!tables || !passwordHash) return;
  keepDemoData(outdir, { email: admin.email, passwordHash }, tables);
  log('demo data kept for the next start of this app');
}

async function main(): Promise<void> {
  const started = Date.now();
  const { port, seed, quiet, outdir, duplicateEvents, eventsLog, stageThrottle, dynamoEndpoint, fresh, assemblyCache, environments, retryIntervalOverridesMs } = options();
  const log = (line: string) => console.log(line);
  if (!stageThrottle) log('--no-throttle: the API stage throttle is lifted (offline only; the deployed stage keeps its limits)');
  if (environments < MAX_ENVIRONMENTS) {
    log(`functions: ${environments} execution environment(s) each at once, then an invocation waits for a free one; more start only when those stall (this machine has ${availableParallelism()} cores; --environments ${MAX_ENVIRONMENTS} scales as Lambda does)`);
  }
  const current: { runtime?: OfflineRuntime; keeping?: Promise<void> } = {};
  const keeping = new AbortController();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping…`);
    // A start stopped right after its seed (the startup bench's starts, say) still keeps it, if it settles soon.
    const giveUp = setTimeout(() => keeping.abort(), KEEP_ON_STOP_MS);
    await current.keeping;
    clearTimeout(giveUp);
    await current.runtime?.stop();
    process.exit(0);
  };
  // `on`, not `once`: a second Ctrl+C while stopping must not fall back to Node's default
  // (an exit that skips stopping the services).
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  whenParentExits(() => void stop('the process that started this one exited'));

  // An unchanged app (its assembly reused or copied from the cache, no synth) has DynamoDB Local's
  // JVM boot, about a second, while the runtime and the app's code load. Not before a synth: that
  // holds this thread for a while, Ctrl+C with it, and a JVM then would only wait.
  const fingerprint = appFingerprint();
  const unchanged = isCurrentAssembly(outdir, fingerprint);
  if (dynamoEndpoint === undefined && isAssemblyAvailable(outdir, fingerprint, assemblyCache ? ASSEMBLY_CACHE : false)) startDynamoDbLocalEarly();
  const [{ startOfflineRuntime }, { createAdmin, DEFAULT_ADMIN }, { keptDemoData }] = await Promise.all([
    import('./runtime'),
    import('../functions/users/adapters/create-admin'),
    import('./demo-data'),
  ]);
  const admin = {
    email: process.env.COMMERCE_ADMIN_EMAIL ?? DEFAULT_ADMIN.email,
    password: process.env.COMMERCE_ADMIN_PASSWORD ?? DEFAULT_ADMIN.password,
  };

  // The demo data the last start of this app kept (checked while the services start): restored instead of seeded.
  const kept = seed && unchanged && !fresh && dynamoEndpoint === undefined ? keptDemoData(outdir, admin) : Promise.resolve(undefined);
  // The seed's domains load only for a start that seeds, and then while the services start.
  const seeder = kept.then((data) => (seed && !data ? import('./seed') : undefined));
  const runtime = await startOfflineRuntime({ port, quiet, log, outdir, duplicateEvents, eventsLog, stageThrottle, dynamoEndpoint, appFingerprint: fingerprint, assemblyCache, eagerEnvironmentsPerFunction: environments, restore: kept, retryIntervalOverridesMs });
  current.runtime = runtime;
  const servicesUp = Date.now();
  // What `npm run ops -- --local` reads to find this runtime: its endpoints, the (fixed, local) credentials they take and the stacks' outputs.
  const runtimeFile = path.join(outdir, LOCAL_RUNTIME_FILE);
  // The two keys, not the shared object: the SDK clients that used it added their own markers to it.
  const { accessKeyId, secretAccessKey } = LOCAL_CREDENTIALS;
  writeFileSync(runtimeFile, JSON.stringify({
    url: runtime.url, region: runtime.assembly.region, credentials: { accessKeyId, secretAccessKey }, endpoints: runtime.endpoints, outputs: runtime.assembly.outputs,
  }, null, 2));

  // The code `npm run admin` uses writes the administrator, as it would into a deployed table;
  // the SDK clients are created on first use, so they pick up the runtime's endpoints set here.
  Object.assign(process.env, runtime.clientEnvironment);
  const usersTable = runtime.assembly.outputs['commerce-dev-users']?.UsersTableName;
  if (!usersTable) throw new Error('the users stack has no UsersTableName output');
  const seconds = (from: number, to = Date.now()) => `${((to - from) / 1000).toFixed(1)} s`;
  const adminLine = `admin: ${admin.email} (password from COMMERCE_ADMIN_PASSWORD, or the README's default)`;
  const ready = (phases: string) => {
    log(`console: ${runtime.consoleUrl} (events, sagas, DLQs and tables, live; offline only)`);
    log(`Commerce is ready at ${runtime.url} (in ${seconds(started)}: ${phases}; Ctrl+C stops it)`);
  };
  if (await kept) {
    log(adminLine);
    log(`demo data restored from the last start's seed (app unchanged; --fresh seeds anew)`);
    ready(`services and demo data ${seconds(started, servicesUp)}`);
    return;
  }
  // The administrator and the demo catalog are written side by side: neither reads what the other writes.
  const adminWritten = createAdmin({ ...admin, name: 'Administrator', table: usersTable }).then(() => {
    log(adminLine);
    return Date.now();
  });
  const seeding = seed ? seeder.then((module) => module!.seedDemoCatalog(runtime.assembly)) : undefined;
  const [adminDone, products] = await Promise.all([adminWritten, seeding]);
  if (products !== undefined) log(`seeded ${products} demo products with stock`);
  const phases = `services ${seconds(started, servicesUp)}, then side by side admin ${seconds(servicesUp, adminDone)} and seed ${seconds(servicesUp)}`;
  if (products === undefined || dynamoEndpoint !== undefined) {
    ready(phases);
    return;
  }
  // Ready once the seed's cascade has settled (stock records, the search projection) and is kept:
  // a client calling at once would otherwise find half a catalog, and spoil the keeping, so that
  // every start of someone who uses the app right away would seed again.
  const seeded = Date.now();
  current.keeping = keepSettledSeed(runtime, outdir, { ...admin, table: usersTable }, keeping.signal, log).catch((error: unknown) => log(`demo data not kept: ${String(error)}`));
  await current.keeping;
  ready(`${phases}, settled ${seconds(seeded)}`);
}

main().catch(async (error: unknown) => {
  // Not every error's `code` is a string: a fetch timeout's DOMException has the number 23.
  const code = (error as { code?: unknown }).code;
  const { JavaMissingError } = await import('./runtime');
  const expected = error instanceof JavaMissingError || error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
  console.error(expected ? (error as Error).message : error);
  process.exit(1);
});
