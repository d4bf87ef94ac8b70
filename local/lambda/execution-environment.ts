/**
 * One Lambda execution environment: a worker thread with its own environment variables that
 * loads the function's code once and then serves one invocation at a time, like a Lambda
 * sandbox. The function timeout is enforced from here by terminating the thread, which also
 * stops synchronous busy loops.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as z from 'zod';

import type { LambdaError, LogSink } from '../types';
import type { FunctionDefinition } from './function-definitions';

const WORKER_FILE = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** AWS gives init 10 s on demand; a module still loading after that is treated as hung. */
const INIT_TIMEOUT_MS = 10_000;
/** Lambda's synchronous response limit. */
const MAX_RESPONSE_BYTES = 6_291_556;

const lambdaErrorSchema = z.object({
  errorType: z.string(),
  errorMessage: z.string(),
  trace: z.array(z.string()).optional(),
});

const workerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('init-error'), error: lambdaErrorSchema }),
  z.object({ type: z.literal('result'), requestId: z.string(), payload: z.string() }),
  z.object({ type: z.literal('error'), requestId: z.string(), error: lambdaErrorSchema }),
  z.object({ type: z.literal('fatal'), error: lambdaErrorSchema }),
]);

type ResultMessage = { readonly type: 'result'; readonly requestId: string; readonly payload: string };

function isResultMessage(raw: unknown): raw is ResultMessage {
  if (typeof raw !== 'object' || raw === null) return false;
  const message = raw as Record<string, unknown>;
  return message.type === 'result' && typeof message.requestId === 'string' && typeof message.payload === 'string';
}

export interface InvocationRequest {
  readonly requestId: string;
  /** The event as JSON text (the function gets its own parsed copy, as on AWS). */
  readonly eventJson: string;
  readonly invokedFunctionArn: string;
  /** `context.clientContext`, as JSON text. */
  readonly clientContextJson?: string;
}

export type InvocationOutcome = { readonly ok: true; readonly payloadJson: string } | { readonly ok: false; readonly error: LambdaError };

export interface EnvironmentOptions {
  readonly fn: FunctionDefinition;
  readonly codeDirectory: string;
  /** Environment variables shared by every environment of the function. */
  readonly variables: Readonly<Record<string, string>>;
  readonly log: LogSink;
  readonly quiet: boolean;
  /** Where the thread keeps V8's compiled code of what it loads, for the next cold start; none when unset. */
  readonly compileCacheDirectory?: string;
  /** Called once when the thread is gone (crash, timeout, init error or terminate). */
  readonly onExit: (environment: ExecutionEnvironment) => void;
}

interface Pending {
  readonly requestId: string;
  readonly settle: (outcome: InvocationOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

/** `2025/01/31/[$LATEST]0123456789abcdef0123456789abcdef`, as Lambda names an environment's log stream. */
function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/**
 * V8's heap as Lambda's Node.js runtime sizes it from the function's memory: a tenth for the new
 * space (two semi-spaces of a twentieth each), the rest for the old space. Node's defaults give a
 * worker a smaller new space, so it collected garbage more often than the function does on AWS.
 */
export function heapLimitsFor(memoryMb: number): { maxYoungGenerationSizeMb: number; maxOldGenerationSizeMb: number } {
  const newSpaceMb = Math.floor(memoryMb / 10);
  // V8's young generation is three semi-spaces' worth (two semi-spaces and the new large-object space).
  return { maxYoungGenerationSizeMb: 3 * Math.floor(newSpaceMb / 2), maxOldGenerationSizeMb: memoryMb - newSpaceMb };
}

function timeoutError(seconds: number): LambdaError {
  return { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${seconds.toFixed(2)} seconds` };
}

export class ExecutionEnvironment {
  /** Unique per environment: its log stream name (also `context.logStreamName`). */
  readonly id = logStreamName();
  private readonly worker: Worker;
  /** Settles when the init phase is over: the error it failed with, or undefined. */
  readonly initialized: Promise<LambdaError | undefined>;
  private settleInit: ((error: LambdaError | undefined) => void) | undefined;
  /** Set once init is over, with its error if any: invocations then skip waiting on `initialized`. */
  private initOver: { readonly error: LambdaError | undefined } | undefined;
  private readonly initTimer: NodeJS.Timeout;
  private pending: Pending | undefined;
  private exitError: string | undefined;
  private terminating = false;
  private exited = false;
  private readonly exitedPromise: Promise<void>;

  constructor(private readonly options: EnvironmentOptions) {
    const { fn } = options;
    this.worker = new Worker(WORKER_FILE, {
      env: { ...options.variables, AWS_LAMBDA_LOG_STREAM_NAME: this.id },
      workerData: {
        codeDirectory: options.codeDirectory,
        handler: fn.handler,
        functionName: fn.name,
        functionVersion: '$LATEST',
        memoryLimitInMB: String(fn.memoryMb),
        logGroupName: fn.logGroupName,
        logStreamName: this.id,
        compileCacheDirectory: options.compileCacheDirectory,
        discardOutput: options.quiet,
      },
      resourceLimits: heapLimitsFor(fn.memoryMb),
      // Never inherit the parent's loaders (tsx, vitest): the bundle is plain JavaScript.
      execArgv: [],
      argv: [],
      stdout: true,
      stderr: true,
    });
    this.forwardLines(this.worker.stdout);
    this.forwardLines(this.worker.stderr);

    this.initialized = new Promise((resolve) => {
      this.settleInit = resolve;
    });
    this.initTimer = setTimeout(() => {
      this.finishInit({ errorType: 'Sandbox.Timedout', errorMessage: `Init phase timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds` });
      void this.terminate();
    }, INIT_TIMEOUT_MS);

    this.worker.on('message', (message: unknown) => this.onMessage(message));
    this.worker.on('error', (error) => {
      // Errors the worker script itself could not handle (it handles the function's own).
      this.exitError = `${error.name}: ${error.message}`;
    });
    this.exitedPromise = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        this.exited = true;
        clearTimeout(this.initTimer);
        const reason = this.exitError ?? `Runtime exited with error: exit status ${code}`;
        this.finishInit({ errorType: 'Runtime.ExitError', errorMessage: `Error: ${reason}` });
        if (this.pending) {
          this.finish({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${this.pending.requestId} Error: ${reason}` } });
        }
        options.onExit(this);
        resolve();
      });
    });
  }

  /** False once the environment crashed, timed out, failed to init or is being terminated. */
  get alive(): boolean {
    return !this.exited && !this.terminating;
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Waits for init (the first time), then runs one invocation. Never rejects. */
  invoke(request: InvocationRequest): Promise<InvocationOutcome> {
    const { initOver } = this;
    return initOver ? this.run(request, initOver.error) : this.initialized.then((error) => this.run(request, error));
  }

  private run(request: InvocationRequest, initError: LambdaError | undefined): Promise<InvocationOutcome> {
    if (initError) {
      // Lambda discards a sandbox whose init failed; the next invocation initialises a new one.
      void this.terminate();
      return Promise.resolve({ ok: false, error: initError });
    }
    if (!this.alive) {
      return Promise.resolve({ ok: false, error: { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${request.requestId} Error: Runtime exited` } });
    }
    if (this.pending) return Promise.reject(new Error(`environment ${this.id} is busy`));
    const { timeoutSeconds } = this.options.fn;
    const timeoutMs = timeoutSeconds * 1000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.log(`${request.requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
        this.finish({ ok: false, error: timeoutError(timeoutSeconds) });
        void this.terminate();
      }, timeoutMs);
      this.pending = { requestId: request.requestId, settle: resolve, timer };
      this.worker.postMessage({
        type: 'invoke',
        requestId: request.requestId,
        event: request.eventJson,
        deadline: Date.now() + timeoutMs,
        invokedFunctionArn: request.invokedFunctionArn,
        ...(request.clientContextJson === undefined ? {} : { clientContext: request.clientContextJson }),
      });
    });
  }

  /** Stops the thread (an invocation in flight fails with Runtime.ExitError). Idempotent. */
  async terminate(): Promise<void> {
    if (!this.exited && !this.terminating) {
      this.terminating = true;
      this.exitError ??= 'Runtime exited: the execution environment was shut down';
      await this.worker.terminate();
    }
    await this.exitedPromise;
  }

  private onMessage(raw: unknown): void {
    // A result, one per invocation, checked by hand: the schema cost the main thread more than the rest of receiving it.
    if (isResultMessage(raw)) {
      this.onResult(raw);
      return;
    }
    const parsed = workerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.log(`unexpected message from the runtime: ${JSON.stringify(raw)}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'ready':
        this.finishInit(undefined);
        return;
      case 'init-error':
        this.finishInit(message.error);
        return;
      case 'result':
        this.onResult(message);
        return;
      case 'error':
        if (this.pending?.requestId === message.requestId) this.finish({ ok: false, error: message.error });
        return;
      case 'fatal':
        // The runtime exits after an uncaught exception or unhandled rejection: so does this sandbox.
        this.finishInit(message.error);
        this.finish({ ok: false, error: message.error });
        void this.terminate();
        return;
    }
  }

  private onResult(message: ResultMessage): void {
    if (this.pending?.requestId !== message.requestId) return;
    // A UTF-8 byte per UTF-16 unit at least, three at most: most payloads need no count.
    if (message.payload.length * 3 > MAX_RESPONSE_BYTES && Buffer.byteLength(message.payload) > MAX_RESPONSE_BYTES) {
      this.finish({
        ok: false,
        error: {
          errorType: 'Function.ResponseSizeTooLarge',
          errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
        },
      });
      return;
    }
    this.finish({ ok: true, payloadJson: message.payload });
  }

  private finishInit(error: LambdaError | undefined): void {
    clearTimeout(this.initTimer);
    const settle = this.settleInit;
    if (!settle) return;
    this.settleInit = undefined;
    this.initOver = { error };
    settle(error);
  }

  private finish(outcome: InvocationOutcome): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.settle(outcome);
  }

  private forwardLines(stream: Readable): void {
    if (this.options.quiet) {
      stream.resume();
      return;
    }
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.options.log(`[${this.options.fn.shortName}] ${line}`));
  }

  private log(line: string): void {
    if (!this.options.quiet) this.options.log(`[${this.options.fn.shortName}] ${line}`);
  }
}
