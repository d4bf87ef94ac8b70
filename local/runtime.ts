/**
 * The offline runtime: the synthesized app (cdk.out), served on one machine with no Docker and
 * no AWS account. Every service is emulated by its own module; this file only wires them, in
 * the order their addresses are needed: SQS and DynamoDB first (queue URLs and tables are part
 * of the resolved app), then the secrets the templates refer to, then the app is resolved, then
 * the services that run it.
 */
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as delay } from 'node:timers/promises';
import { startApiGateway } from './apigateway/server';
import { loadAssembly, readStackArtifacts } from './cloudformation/assembly';
import { createOfflineConsole, CONSOLE_PATH, type OfflineConsole } from './console/offline-console';
import { createTables, dumpTables, type TableContents } from './dynamodb/tables';
import { emulationGapsNotice } from './emulation-coverage';
import { checkJava, type DynamoDbLocal, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal } from './dynamodb/local-dynamodb';
import { startEventBridge, type RunningEventBridge } from './eventbridge/event-bus-service';
import { startEventSourceMappings, type RunningEventSources } from './lambda-event-sources/event-source-mappings';
import { startLambdaService, type LambdaService } from './lambda/lambda-service';
import { nodeMismatchNotice } from './lambda/node-parity';
import { activityMonitor, type ActivityMonitor } from './quiescence';
import type { SecretStore } from './secrets/secret-store';
import { createSecretStore, startSecretsManager } from './secrets/secrets-manager-service';
import { startSqs, type SqsService } from './sqs/sqs-service';
import { startSsm } from './ssm/ssm-service';
import { startStepFunctions, type RunningStepFunctions } from './stepfunctions/stepfunctions-service';
import { synthesize } from './synth';
import type { LambdaInvoker, LocalAssembly, LogSink, RunningService } from './types';
import type { LocalAddress } from './lambda/function-definitions';

export const ACCOUNT_ID = '000000000000';
/** Under the outdir: V8's compiled code of the functions, shared by every start of the same assembly. */
export const COMPILE_CACHE_DIR = '.local-compile-cache';

export interface RuntimeOptions {
  /** The API's port; 0 for a free one. */
  readonly port: number;
  /** Where the cloud assembly is written. */
  readonly outdir: string;
  /** Function output and request lines; the runtime's own progress lines always go to `log`. */
  readonly quiet: boolean;
  readonly log: LogSink;
  /**
   * Delivers every event twice to every target, as EventBridge's at-least-once delivery may:
   * a fault switch for tests of the consumers' idempotency.
   */
  readonly duplicateEvents?: boolean;
  /**
   * A file to which every event accepted on a bus is appended, one JSON line each
   * (`{"bus": ..., "event": ...}`): what was published, for tests and debugging, since AWS
   * offers no way to read an archive's events.
   */
  readonly eventsLog?: string;
  /** False lifts the API stage's throttle (offline only, for load tests). @default true */
  readonly stageThrottle?: boolean;
  /** The app's fingerprint (synth.ts) as taken at start, so it is computed once; taken now when omitted. */
  readonly appFingerprint?: string;
  /** False: the app's assembly is neither copied from nor kept in the assembly cache (synth.ts), e.g. to measure a synth. @default true */
  readonly assemblyCache?: boolean;
  /** Environments a function starts at once before invocations wait for a free one (lambda-service.ts); Lambda's scaling when omitted. */
  readonly eagerEnvironmentsPerFunction?: number;
  /**
   * A DynamoDB (Local) already listening, used instead of starting one, e.g. the cost bench's
   * counting proxy in front of its own DynamoDB Local. The runtime creates the app's tables in it
   * and leaves it running when it stops.
   */
  readonly dynamoEndpoint?: string;
  /** Milliseconds instead of a Task state's Retry backoff, by state name (`--retry-interval`): tests that fail a step on purpose. */
  readonly retryIntervalOverridesMs?: Readonly<Record<string, number>>;
  /** Items written into the new tables before their streams are on (an earlier start's demo data); awaited just before the tables are created. */
  readonly restore?: Promise<TableContents | undefined>;
}

export interface OfflineRuntime {
  readonly url: string;
  readonly assembly: LocalAssembly;
  /** Environment for code in this process that talks to the local services (the admin script). */
  readonly clientEnvironment: Record<string, string>;
  /** The offline console: the app at work, live (local/console). */
  readonly consoleUrl: string;
  /** Every emulated service's endpoint by SDK key (`DYNAMODB`, `SQS`, `LAMBDA`...), for tools such as the ops CLI. */
  readonly endpoints: Readonly<Record<string, string>>;
  /**
   * Every table's items once the app has settled (no invocation running, no delivery or queued
   * message, nothing for a moment), as long as all that ran since the start ran on the start's
   * own writes: undefined once a client has called the API, a function has failed, on `signal`
   * or after a minute.
   */
  settledTables(signal?: AbortSignal): Promise<TableContents | undefined>;
  stop(): Promise<void>;
}

export class JavaMissingError extends Error {}

interface StartedServices {
  lambda?: LambdaService;
  stepFunctions?: RunningStepFunctions;
  eventSources?: RunningEventSources;
}

/** What the app stands on, ready before anything of it runs: DynamoDB Local and SQS with its tables and queues, its secrets, the resolved app. */
interface Foundation {
  readonly dynamo: DynamoDbLocal;
  readonly sqs: SqsService;
  readonly secretStore: SecretStore;
  readonly assembly: LocalAssembly;
}

/** Checks Java, starts DynamoDB Local and SQS (pushed on `running` as they come up) while the app synthesizes, then resolves it and creates its tables and queues. */
async function startFoundation(options: RuntimeOptions, running: RunningService[], chatter: LogSink): Promise<Foundation> {
  const { log } = options;
  const java = options.dynamoEndpoint ? ({ ok: true } as const) : await checkJava();
  if (!java.ok) {
    throw new JavaMissingError(
      `The offline runtime needs Java 17 or newer for DynamoDB Local (${java.reason}). ` +
        'Install a JDK 17+ (e.g. `apt-get install openjdk-17-jre-headless`, `brew install openjdk@17`) and try again.',
    );
  }
  // Java boots while the app synthesizes.
  const dynamoStarting = options.dynamoEndpoint ? Promise.resolve(existingDynamo(options.dynamoEndpoint)) : startDynamoDbLocal({ log: chatter });
  const sqsStarting = startSqs({ log: chatter, accountId: ACCOUNT_ID, region: LOCAL_REGION });
  void dynamoStarting.then((service) => running.push(service), () => undefined);
  void sqsStarting.then((service) => running.push(service), () => undefined);

  const synthStart = Date.now();
  const { source } = await synthesize(options.outdir, {
    ...(options.appFingerprint === undefined ? {} : { fingerprint: options.appFingerprint }),
    ...(options.assemblyCache === false ? { cache: false } : {}),
  });
  const where = path.relative(process.cwd(), options.outdir) || options.outdir;
  const took = `${Date.now() - synthStart} ms`;
  log({
    outdir: `app unchanged since the last start: reusing ${where} (${took})`,
    cache: `app unchanged: its assembly copied from the cache into ${where} (${took})`,
    synth: `synthesized ${where} in ${took}`,
  }[source]);

  const [dynamo, sqs] = await Promise.all([dynamoStarting, sqsStarting]);
  const secretStore = createSecretStore({
    environment: { region: LOCAL_REGION, accountId: ACCOUNT_ID, partition: 'aws' },
    stacks: readStackArtifacts(options.outdir),
  });
  const assembly = loadAssembly(options.outdir, {
    region: LOCAL_REGION,
    accountId: ACCOUNT_ID,
    sqsBaseUrl: sqs.endpoint, // the loader adds the account, as SQS URLs have it
    secretValue: (arn, jsonKey) => secretStore.secretValue(arn, jsonKey),
  });
  const nodeMismatch = nodeMismatchNotice(assembly);
  if (nodeMismatch) log(nodeMismatch);
  const gaps = emulationGapsNotice(assembly);
  if (gaps) log(gaps);
  const contents = await options.restore;
  await Promise.all([createTables(assembly, dynamo.endpoint, contents), sqs.createQueues(assembly)]);
  return { dynamo, sqs, secretStore, assembly };
}

/** A DynamoDB someone else started (and stops). */
function existingDynamo(endpoint: string): DynamoDbLocal {
  return { endpoint, port: Number(new URL(endpoint).port), pid: 0, stop: async () => undefined };
}

function reach<T>(service: T | undefined, name: string): T {
  if (!service) throw new Error(`the ${name} service is not running yet`);
  return service;
}

/** The functions as the other services call them: through the Lambda service once it has started. */
function lateLambda(started: StartedServices, assembly: LocalAssembly): LambdaInvoker {
  return {
    invoke: (arn, payload) => reach(started.lambda, 'Lambda').invoke(arn, payload),
    invokeAsync: (arn, payload) => reach(started.lambda, 'Lambda').invokeAsync(arn, payload),
    // The gateway asks at start, before Lambda runs: the assembly's functions are what it will run.
    has: (arn) => (started.lambda ? started.lambda.has(arn) : assembly.find(arn)?.type === 'AWS::Lambda::Function'),
  };
}

function startEventBus(
  { assembly, sqs }: Foundation,
  functions: LambdaInvoker,
  started: StartedServices,
  options: RuntimeOptions,
  chatter: LogSink,
  observer: OfflineConsole,
  monitor: ActivityMonitor,
): Promise<RunningEventBridge> {
  const deliveries = options.duplicateEvents ? 2 : 1;
  const repeat = async (deliver: () => Promise<unknown>) => {
    for (let delivery = 0; delivery < deliveries; delivery++) await deliver();
  };
  const eventsLog = options.eventsLog === undefined ? undefined : eventsLogger(options.eventsLog);
  return startEventBridge(
    assembly,
    observer.observeTargets({
      invokeLambda: (arn, event) =>
        repeat(async () => {
          // Async invocation never fails once queued; an unknown function is the only target error.
          if (!functions.has(arn)) throw Object.assign(new Error(`Function not found: ${arn}`), { name: 'ResourceNotFoundException' });
          functions.invokeAsync(arn, event);
        }),
      sendToQueue: (arn, body, queueOptions) => repeat(() => sqs.sendToQueue(arn, body, queueOptions?.messageAttributes)),
      startExecution: (arn, input) => repeat(() => reach(started.stepFunctions, 'Step Functions').startExecution(arn, input)),
    }),
    {
      log: chatter,
      onEvent: (bus, event) => {
        monitor.onEvent();
        eventsLog?.(bus, event);
        observer.onEvent(bus, event);
      },
    },
  );
}

export async function startOfflineRuntime(options: RuntimeOptions): Promise<OfflineRuntime> {
  const { log } = options;
  const chatter: LogSink = options.quiet ? () => undefined : log;
  const running: RunningService[] = [];
  const stopAll = async () => {
    for (const service of running.reverse()) await service.stop().catch((error: unknown) => log(`stop failed: ${String(error)}`));
  };

  try {
    const foundation = await startFoundation(options, running, chatter);
    const { dynamo, sqs, secretStore, assembly } = foundation;

    const secrets = await startSecretsManager(assembly, { log: chatter, store: secretStore });
    running.push(secrets);
    // Filled once the gateway listens: then its execute-api URL has a local stand-in.
    const apiAddresses: LocalAddress[] = [];
    const ssm = await startSsm(assembly, { log: chatter, localAddresses: () => apiAddresses });
    running.push(ssm);

    // EventBridge, Step Functions, the API and Lambda call each other, and every function must know
    // every endpoint when it starts: so Lambda starts last and the others reach it (and each other) late.
    const started: StartedServices = {};
    // What ran since the start and who asked for it: whether the tables hold the start's writes alone.
    const monitor = activityMonitor();
    const functions = monitor.track(lateLambda(started, assembly), 'runtime');
    // The offline console (/_console): told of what every service does from here on.
    const observer = createOfflineConsole(assembly);
    running.push(observer);
    const eventBridge = await startEventBus(foundation, functions, started, options, chatter, observer, monitor);
    running.push(eventBridge);

    const stepFunctions = await startStepFunctions(assembly, {
      lambda: functions,
      putEvents: (entries) => eventBridge.putEvents(entries),
      sendToQueue: (arn, body, fifo) => sqs.sendToQueue(arn, body, undefined, fifo),
      dynamoEndpoint: dynamo.endpoint,
      log: chatter,
      ...(options.retryIntervalOverridesMs === undefined ? {} : { retryIntervalOverridesMs: options.retryIntervalOverridesMs }),
    });
    started.stepFunctions = stepFunctions;
    running.push(stepFunctions);

    // The API listens before the functions start, so that its address is known to them: the
    // templates give callers of the API its execute-api URL, which offline is this gateway's.
    const api = await startApiGateway(assembly, monitor.track(lateLambda(started, assembly), 'client'), { port: options.port, log: chatter, stageThrottle: options.stageThrottle ?? true, console: observer });
    running.push(api);
    apiAddresses.push({ deployed: api.executeApiUrl, local: api.url });

    const lambda = await startLambdaService(assembly, {
      localAddresses: apiAddresses,
      endpoints: {
        DYNAMODB: dynamo.endpoint,
        SQS: sqs.endpoint,
        EVENTBRIDGE: eventBridge.endpoint,
        SECRETS_MANAGER: secrets.endpoint,
        SSM: ssm.endpoint,
        SFN: stepFunctions.endpoint,
      },
      log,
      quiet: options.quiet,
      deadLetter: observer.observeDeadLetter('lambda', (arn, body) => sqs.sendToQueue(arn, body)),
      onInvocation: (invocation) => {
        monitor.onInvocation(invocation);
        observer.onInvocation(invocation);
        // The event sources start after Lambda: from then on, its streams are read when it ends.
        void started.eventSources?.invocationEnded(invocation.functionName);
      },
      // In the assembly, which outlives a start: the next start's cold starts reuse it.
      compileCacheDirectory: path.join(options.outdir, COMPILE_CACHE_DIR),
      ...(options.eagerEnvironmentsPerFunction === undefined ? {} : { eagerEnvironmentsPerFunction: options.eagerEnvironmentsPerFunction }),
    });
    started.lambda = lambda;
    running.push(lambda);

    const mappings = await startEventSourceMappings(assembly, {
      lambda: monitor.track(lambda, 'runtime'),
      sqsEndpoint: sqs.endpoint,
      dynamoEndpoint: dynamo.endpoint,
      sendToQueue: observer.observeDeadLetter('event source mapping', (arn: string, body: string) => sqs.sendToQueue(arn, body)),
      log: chatter,
    });
    running.push(mappings);
    started.eventSources = mappings;
    const endpoints = { DYNAMODB: dynamo.endpoint, SQS: sqs.endpoint, EVENTBRIDGE: eventBridge.endpoint, SFN: stepFunctions.endpoint, LAMBDA: lambda.endpoint };
    observer.attach(endpoints);

    return {
      url: api.url,
      consoleUrl: `${api.url}${CONSOLE_PATH}`,
      assembly,
      endpoints,
      clientEnvironment: {
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      },
      settledTables: (signal) => settledTables(foundation, monitor, { deliveriesIdle: () => eventBridge.idle(), pollStreams: () => mappings.pollStreams() }, signal),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Quiet this long (several stream and queue polls) before the tables count as settled. */
const SETTLE_QUIET_MS = 1_000;
const SETTLE_TIMEOUT_MS = 60_000;

/** What settledTables asks of the services: the event buses' deliveries, and the stream pollers to read what the start wrote outside any function (the seed). */
interface SettleChecks {
  deliveriesIdle(): Promise<void>;
  pollStreams(): Promise<void>;
}

/** See OfflineRuntime.settledTables. Read twice if anything ran while the tables were read. */
async function settledTables({ assembly, dynamo, sqs }: Foundation, monitor: ActivityMonitor, { deliveriesIdle, pollStreams }: SettleChecks, signal?: AbortSignal): Promise<TableContents | undefined> {
  const idle = async () => {
    // The streams first: a record not read yet would start a cascade after the check.
    await pollStreams();
    return (await Promise.race([deliveriesIdle().then(() => true), delay(0).then(() => false)])) && (await queuesEmpty(assembly, sqs.endpoint));
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!(await monitor.settled({ quietMs: SETTLE_QUIET_MS, timeoutMs: SETTLE_TIMEOUT_MS, idle, ...(signal ? { signal } : {}) }))) return undefined;
    const mark = monitor.mark();
    const tables = await dumpTables(assembly, dynamo.endpoint);
    if (monitor.mark() === mark && monitor.spoiled() === undefined) return tables;
  }
  return undefined;
}

/** No message waiting or in flight in any queue of the app. */
async function queuesEmpty(assembly: LocalAssembly, endpoint: string): Promise<boolean> {
  const client = new SQSClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const counts = await Promise.all(assembly.ofType('AWS::SQS::Queue').map(async ({ ref }) => {
      const { Attributes: attributes } = await client.send(new GetQueueAttributesCommand({
        QueueUrl: ref,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }));
      return Object.values(attributes ?? {}).reduce((sum, count) => sum + Number(count), 0);
    }));
    return counts.every((count) => count === 0);
  } finally {
    client.destroy();
  }
}

/** Appends each event as a JSON line, synchronously, so a reader sees it as soon as PutEvents has answered. */
function eventsLogger(file: string): (bus: string, event: unknown) => void {
  return (bus, event) => appendFileSync(file, `${JSON.stringify({ bus, event })}\n`);
}
