/**
 * The local Lambda service: runs the app's functions (their bundled code from cdk.out) in worker
 * threads that behave like Lambda execution environments, and serves the Invoke API over HTTP.
 *
 * Emulated: per-function environment variables, one invocation per environment at a time with
 * more environments for concurrent invocations (warm reuse, capped, queued beyond), init once per
 * environment, the function timeout, Lambda's error shapes, asynchronous invocation with two
 * retries then the on-failure destination and/or dead-letter queue.
 * Not emulated: versions and aliases (every qualifier runs $LATEST), freezing between invocations,
 * memory limits beyond the V8 heap sized from MemorySize, X-Ray (there is no daemon offline), log tails (`X-Amz-Log-Type: Tail`).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { InvokeResult, LambdaError, LambdaInvoker, LocalAssembly, LogSink, RunningService } from '../types';
import { EnvironmentPool } from './environment-pool';
import { ExecutionEnvironment, type InvocationOutcome } from './execution-environment';
import { findFunction, readFunctionDefinitions, withLocalAddresses, type FunctionDefinition, type LocalAddress } from './function-definitions';
import { startInvokeApi, type InjectedFault } from './invoke-api';

/**
 * The Lambda runtime provides `@aws-sdk/*` to code that leaves it external (our bundles carry
 * their own, see lib/platform/bundle.ts); offline the project's copy stands in for assets that
 * rely on it, wherever they are.
 */
const PROJECT_NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

const DEFAULT_MAX_ENVIRONMENTS = 10;
const DEFAULT_RETRY_DELAYS_MS: readonly [number, number] = [1000, 2000];
/** How much of a dropped event to show in the log. */
const LOGGED_PAYLOAD_CHARS = 2000;

export interface LambdaServiceOptions {
  /** Service endpoints by SDK key (`DYNAMODB`, `SQS`, ...): each becomes `AWS_ENDPOINT_URL_<KEY>` in every function. */
  readonly endpoints: Readonly<Record<string, string>>;
  /**
   * Deployed addresses in the templates and the local services standing in for them (the REST
   * API's execute-api URL and the local gateway): a variable holding one, or a URL under it,
   * gets the local address.
   */
  readonly localAddresses?: readonly LocalAddress[];
  readonly log: LogSink;
  /** Drops the functions' own output (stdout/stderr, timeouts); the service's warnings still go to `log`. */
  readonly quiet?: boolean;
  /** Delays before the two retries of a failed asynchronous invocation (1 and 2 minutes on AWS). */
  readonly asyncRetryDelaysMs?: readonly [number, number];
  /** Sends `body` to a DLQ or on-failure/on-success destination that is not a function of the app (an SQS queue...). */
  readonly deadLetter?: (targetArn: string, body: string) => Promise<void>;
  /** Port of the Invoke API; a free one when omitted. */
  readonly port?: number;
  /** Concurrent execution environments per function (ReservedConcurrentExecutions wins if lower). Default 10. */
  readonly maxEnvironmentsPerFunction?: number;
  /**
   * Environments per function started at once for concurrent invocations; past them an invocation
   * waits for one to free up, and the function gets another only once none has for a moment
   * (environment-pool.ts: on a machine's few cores more isolates only cost CPU). Default: the cap,
   * Lambda's own scaling.
   */
  readonly eagerEnvironmentsPerFunction?: number;
  /** How long invocations held back by `eagerEnvironmentsPerFunction` see no environment free up before another starts. */
  readonly environmentPatienceMs?: number;
  /** Told of every invocation once it has ended (the offline console's view of the functions). */
  readonly onInvocation?: (invocation: { functionName: string; requestId: string; ok: boolean; errorType?: string; ms: number; eventJson: string }) => void;
  /** Where execution environments keep V8's compiled code for the next cold start (kept between starts); none when unset. */
  readonly compileCacheDirectory?: string;
}

export interface LambdaService extends LambdaInvoker, RunningService {
  /** The Invoke API, e.g. http://127.0.0.1:50123 (for `AWS_ENDPOINT_URL_LAMBDA`). */
  readonly endpoint: string;
  /** Execution environments (worker threads) currently alive, all functions together. */
  environmentCount(): number;
}

interface AsyncJob {
  readonly fn: FunctionDefinition;
  readonly eventJson: string;
  readonly requestId: string;
  readonly invokedFunctionArn: string;
  readonly enqueuedAt: number;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

function notFound(functionNameOrArn: string): Error {
  const error = new Error(`Function not found: ${functionNameOrArn}`);
  error.name = 'ResourceNotFoundException';
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
}

/** The ARN Lambda reports as `context.invokedFunctionArn`: what the caller used, qualifier included. */
function invokedArnOf(fn: FunctionDefinition, functionNameOrArn: string): string {
  if (functionNameOrArn.startsWith('arn:')) return functionNameOrArn;
  const qualifier = functionNameOrArn.split(':').slice(functionNameOrArn.includes(':function:') ? 3 : 1)[0];
  return qualifier ? `${fn.arn}:${qualifier}` : fn.arn;
}

/** The record Lambda sends to on-success/on-failure destinations. */
function destinationRecord(job: AsyncJob, condition: string, outcome: InvocationOutcome): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: { requestId: job.requestId, functionArn: `${job.fn.arn}:$LATEST`, condition, approximateInvokeCount: job.attempt },
    requestPayload: JSON.parse(job.eventJson) as unknown,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', ...(outcome.ok ? {} : { functionError: 'Unhandled' }) },
    responsePayload: outcome.ok ? (JSON.parse(outcome.payloadJson) as unknown) : outcome.error,
  });
}

/**
 * The service's state and its parts: where each function's code lives, its environment
 * variables, its pool of execution environments, and asynchronous invocation with retries and
 * destinations. startLambdaService wires it to the Invoke API.
 */
class LambdaFunctions {
  private readonly log: LogSink;
  private readonly quiet: boolean;
  private readonly retryDelays: readonly [number, number];
  private readonly maxEnvironments: number;
  private readonly byName: Map<string, FunctionDefinition>;
  private readonly endpointVariables: Record<string, string>;
  private readonly pools = new Map<string, EnvironmentPool>();
  /** Functions made to fail by the fault switch (invoke-api.ts), by name, with their error message. */
  readonly faults = new Map<string, InjectedFault>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly deliveries = new Set<Promise<void>>();
  private inlineCodeRoot: string | undefined;
  /** The Invoke API's endpoint, set once it listens (before any function runs). */
  invokeEndpoint: string | undefined;
  stopped = false;

  constructor(
    private readonly assembly: LocalAssembly,
    private readonly options: LambdaServiceOptions,
  ) {
    this.log = options.log;
    this.quiet = options.quiet ?? false;
    this.retryDelays = options.asyncRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.maxEnvironments = options.maxEnvironmentsPerFunction ?? DEFAULT_MAX_ENVIRONMENTS;
    this.byName = new Map(readFunctionDefinitions(assembly).map((fn) => [fn.name, fn]));
    this.endpointVariables = Object.fromEntries(
      Object.entries(options.endpoints).map(([key, url]) => [`AWS_ENDPOINT_URL_${key.toUpperCase()}`, url]),
    );
    const { onInvocation } = options;
    if (onInvocation) {
      // Every invocation (sync, async attempt, Invoke API) goes through run(): observe it there.
      const run = this.run.bind(this);
      this.run = async (fn, eventJson, requestId, ...rest) => {
        const started = Date.now();
        const outcome = await run(fn, eventJson, requestId, ...rest);
        onInvocation({ functionName: fn.name, requestId, ok: outcome.ok, ...(outcome.ok ? {} : { errorType: outcome.error.errorType }), ms: Date.now() - started, eventJson });
        return outcome;
      };
    }
  }

  resolve(functionNameOrArn: string): FunctionDefinition | undefined {
    return findFunction(this.assembly, this.byName, functionNameOrArn);
  }

  environmentCount(): number {
    return [...this.pools.values()].reduce((sum, pool) => sum + pool.size, 0);
  }

  /** The directory holding the function's code; inline (`ZipFile`) code is written to a temp dir once. */
  private codeDirectoryOf(fn: FunctionDefinition): string | LambdaError {
    switch (fn.code.kind) {
      case 'directory':
        return fn.code.directory;
      case 'missing':
        return { errorType: 'Runtime.ImportModuleError', errorMessage: `Error: no local code for ${fn.name}: ${fn.code.reason}` };
      case 'inline': {
        this.inlineCodeRoot ??= mkdtempSync(path.join(tmpdir(), 'local-lambda-inline-'));
        const directory = path.join(this.inlineCodeRoot, fn.resource.stackName, fn.resource.logicalId);
        if (!existsSync(directory)) {
          mkdirSync(directory, { recursive: true });
          // CloudFormation stores Node.js inline code as index.js.
          writeFileSync(path.join(directory, 'index.js'), fn.code.source);
        }
        return directory;
      }
    }
  }

  private variablesFor(fn: FunctionDefinition, codeDirectory: string): Record<string, string> {
    const { region } = this.assembly;
    return {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      LANG: 'en_US.UTF-8',
      ...withLocalAddresses(fn.variables, this.options.localAddresses ?? []),
      // Reserved by Lambda: a template cannot set these, so they override.
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_LOG_GROUP_NAME: fn.logGroupName,
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
      LAMBDA_TASK_ROOT: codeDirectory,
      _HANDLER: fn.handler,
      TZ: ':UTC',
      // Functions that invoke other functions (the orders cancel route invokes shipping's claim)
      // reach this service's own Invoke API, unless the options name another Lambda endpoint.
      ...(this.invokeEndpoint === undefined ? {} : { AWS_ENDPOINT_URL_LAMBDA: this.invokeEndpoint }),
      ...this.endpointVariables,
      // No X-Ray daemon offline: keep Powertools Tracer and the X-Ray SDK quiet.
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      NODE_PATH: PROJECT_NODE_MODULES,
      // The functions run on nodejs24.x on AWS: the SDK's warning about this machine's older Node
      // would otherwise be printed once per execution environment.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
  }

  private poolOf(fn: FunctionDefinition, codeDirectory: string): EnvironmentPool {
    let pool = this.pools.get(fn.name);
    if (!pool) {
      const variables = this.variablesFor(fn, codeDirectory);
      const { log, quiet, maxEnvironments } = this;
      const max = Math.min(maxEnvironments, fn.reservedConcurrency ?? maxEnvironments);
      const { eagerEnvironmentsPerFunction: eager, environmentPatienceMs: patienceMs } = this.options;
      const created: EnvironmentPool = new EnvironmentPool(
        () =>
          new ExecutionEnvironment({
            fn, codeDirectory, variables, log, quiet,
            ...(this.options.compileCacheDirectory === undefined ? {} : { compileCacheDirectory: this.options.compileCacheDirectory }),
            onExit: (environment) => created.forget(environment),
          }),
        { max, ...(eager === undefined ? {} : { eager }), ...(patienceMs === undefined ? {} : { patienceMs }) },
      );
      pool = created;
      this.pools.set(fn.name, pool);
    }
    return pool;
  }

  /** @param patient an asynchronous invocation (see EnvironmentPool). */
  async run(fn: FunctionDefinition, eventJson: string, requestId: string, invokedFunctionArn: string, clientContextJson?: string, patient = false): Promise<InvocationOutcome> {
    if (this.stopped) throw new Error('the Lambda service is stopped');
    const fault = this.faults.get(fn.name);
    if (fault && (fault.matching === undefined || eventJson.includes(fault.matching))) {
      return { ok: false, error: { errorType: 'InjectedFault', errorMessage: fault.message } };
    }
    if (!fn.runtime.startsWith('nodejs')) {
      return { ok: false, error: { errorType: 'Runtime.InvalidRuntime', errorMessage: `runtime ${fn.runtime} cannot run offline: only nodejs runtimes are emulated` } };
    }
    const codeDirectory = this.codeDirectoryOf(fn);
    if (typeof codeDirectory !== 'string') return { ok: false, error: codeDirectory };
    return this.poolOf(fn, codeDirectory).run({
      requestId,
      eventJson,
      invokedFunctionArn,
      ...(clientContextJson === undefined ? {} : { clientContextJson }),
    }, patient);
  }

  // ------------------------------------------------------- async invocation

  /** Sends a record to a destination: a function of the app directly, anything else via options.deadLetter. */
  private deliver(fn: FunctionDefinition, targetArn: string, body: string): void {
    const target = targetArn.includes(':lambda:') ? this.resolve(targetArn) : undefined;
    if (target) {
      this.enqueueAsync(target, body, randomUUID(), targetArn);
      return;
    }
    if (!this.options.deadLetter) {
      this.log(`[lambda] WARNING ${fn.shortName}: no sender for ${targetArn}; record dropped: ${truncate(body, LOGGED_PAYLOAD_CHARS)}`);
      return;
    }
    const delivery = this.options.deadLetter(targetArn, body).catch((error: unknown) => {
      this.log(`[lambda] WARNING ${fn.shortName}: could not send to ${targetArn} (${messageOf(error)}); record dropped: ${truncate(body, LOGGED_PAYLOAD_CHARS)}`);
    });
    this.deliveries.add(delivery);
    void delivery.finally(() => this.deliveries.delete(delivery));
  }

  private giveUp(job: AsyncJob, condition: 'RetriesExhausted' | 'EventAgeExceeded', outcome: InvocationOutcome & { ok: false }): void {
    const { fn } = job;
    const { onFailure } = fn.asyncConfig;
    const summary = `async invocation ${job.requestId} of ${fn.name} failed ${job.attempt} time(s) (${outcome.error.errorType}: ${outcome.error.errorMessage})`;
    if (onFailure === undefined && fn.deadLetterTargetArn === undefined) {
      this.log(`[lambda] WARNING ${fn.shortName}: ${summary}; no on-failure destination or DLQ, event dropped: ${truncate(job.eventJson, LOGGED_PAYLOAD_CHARS)}`);
      return;
    }
    this.log(`[lambda] ${fn.shortName}: ${summary}; sent to ${[onFailure, fn.deadLetterTargetArn].filter(Boolean).join(' and ')}`);
    if (onFailure !== undefined) this.deliver(fn, onFailure, destinationRecord(job, condition, outcome));
    // A DLQ gets the event itself, not a record.
    if (fn.deadLetterTargetArn !== undefined) this.deliver(fn, fn.deadLetterTargetArn, job.eventJson);
  }

  private async attemptAsync(job: AsyncJob): Promise<void> {
    let outcome: InvocationOutcome;
    try {
      outcome = await this.run(job.fn, job.eventJson, job.requestId, job.invokedFunctionArn, undefined, true);
    } catch (error) {
      if (this.stopped) return;
      outcome = { ok: false, error: { errorType: 'ServiceException', errorMessage: messageOf(error) } };
    }
    if (this.stopped) return;
    const { asyncConfig } = job.fn;
    if (outcome.ok) {
      if (asyncConfig.onSuccess !== undefined) this.deliver(job.fn, asyncConfig.onSuccess, destinationRecord(job, 'Success', outcome));
      return;
    }
    const delay = this.retryDelays[job.attempt - 1];
    if (job.attempt > asyncConfig.maximumRetryAttempts || delay === undefined) {
      this.giveUp(job, 'RetriesExhausted', outcome);
      return;
    }
    if (Date.now() + delay - job.enqueuedAt > asyncConfig.maximumEventAgeSeconds * 1000) {
      this.giveUp(job, 'EventAgeExceeded', outcome);
      return;
    }
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      void this.attemptAsync({ ...job, attempt: job.attempt + 1 });
    }, delay);
    this.retryTimers.add(timer);
  }

  enqueueAsync(fn: FunctionDefinition, eventJson: string, requestId: string, functionNameOrArn: string): void {
    if (this.stopped) return;
    void this.attemptAsync({ fn, eventJson, requestId, invokedFunctionArn: invokedArnOf(fn, functionNameOrArn), enqueuedAt: Date.now(), attempt: 1 });
  }

  /** Stops the pools' environments and pending retries, waits for in-flight deliveries; `alsoStop` runs alongside the pools. */
  async stop(alsoStop: () => Promise<void>): Promise<void> {
    this.stopped = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    await Promise.all([alsoStop(), ...[...this.pools.values()].map((pool) => pool.stop())]);
    await Promise.allSettled([...this.deliveries]);
    if (this.inlineCodeRoot !== undefined) rmSync(this.inlineCodeRoot, { recursive: true, force: true });
  }
}

export async function startLambdaService(assembly: LocalAssembly, options: LambdaServiceOptions): Promise<LambdaService> {
  const { log } = options;
  const functions = new LambdaFunctions(assembly, options);
  const has = (functionNameOrArn: string): boolean => functions.resolve(functionNameOrArn) !== undefined;

  const api = await startInvokeApi(
    {
      has,
      newRequestId: () => randomUUID(),
      setFault: (functionNameOrArn, fault) => {
        const fn = functions.resolve(functionNameOrArn);
        if (!fn) return;
        if (fault === undefined) functions.faults.delete(fn.name);
        else functions.faults.set(fn.name, fault);
        log(`[lambda] ${fn.shortName}: ${fault === undefined ? 'fault cleared' : `invocations fail (fault switch): ${JSON.stringify(fault)}`}`);
      },
      invokeJson: async (functionNameOrArn, eventJson, requestId, clientContextJson) => {
        const fn = functions.resolve(functionNameOrArn);
        if (!fn) throw notFound(functionNameOrArn);
        return functions.run(fn, eventJson, requestId, invokedArnOf(fn, functionNameOrArn), clientContextJson);
      },
      invokeAsyncJson: (functionNameOrArn, eventJson, requestId) => {
        const fn = functions.resolve(functionNameOrArn);
        if (fn) functions.enqueueAsync(fn, eventJson, requestId, functionNameOrArn);
      },
    },
    { region: assembly.region, accountId: assembly.accountId, ...(options.port === undefined ? {} : { port: options.port }) },
  );
  functions.invokeEndpoint = api.endpoint;

  return {
    endpoint: api.endpoint,

    has,

    async invoke(functionNameOrArn: string, payload: unknown): Promise<InvokeResult> {
      const fn = functions.resolve(functionNameOrArn);
      if (!fn) throw notFound(functionNameOrArn);
      // Lambda hands the function a fresh copy of the event, and returns a fresh copy of the result.
      const eventJson = payload === undefined ? '{}' : JSON.stringify(payload);
      const outcome = await functions.run(fn, eventJson, randomUUID(), invokedArnOf(fn, functionNameOrArn));
      return outcome.ok ? { ok: true, payload: JSON.parse(outcome.payloadJson) as unknown } : { ok: false, error: outcome.error };
    },

    invokeAsync(functionNameOrArn: string, payload: unknown): void {
      const fn = functions.resolve(functionNameOrArn);
      if (!fn) {
        log(`[lambda] WARNING invokeAsync: no function ${functionNameOrArn}; event dropped: ${truncate(JSON.stringify(payload) ?? 'undefined', LOGGED_PAYLOAD_CHARS)}`);
        return;
      }
      functions.enqueueAsync(fn, payload === undefined ? '{}' : JSON.stringify(payload), randomUUID(), functionNameOrArn);
    },

    environmentCount: () => functions.environmentCount(),

    async stop(): Promise<void> {
      if (functions.stopped) return;
      await functions.stop(() => api.stop());
    },
  };
}
