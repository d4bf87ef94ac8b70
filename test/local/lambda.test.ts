import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startLambdaService, type LambdaService, type LambdaServiceOptions } from '../../local/lambda/lambda-service';
import type { InvokeResult, LambdaError, LocalAssembly, LocalResource } from '../../local/types';

// ---------------------------------------------------------------- fixtures

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const STACK = 'commerce-test-orders';

interface FixtureFunction {
  /** CDK-style logical id, hash suffix included. */
  readonly logicalId: string;
  readonly source: string;
  readonly timeout?: number;
  readonly variables?: Record<string, string>;
  readonly properties?: Record<string, unknown>;
}

function functionName(logicalId: string): string {
  return `${STACK}-${logicalId}-LOCAL`;
}

function functionArn(logicalId: string): string {
  return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName(logicalId)}`;
}

/** A LocalAssembly-shaped app whose functions' code is `<root>/asset.<logicalId>/index.js`. */
function buildAssembly(root: string, functions: readonly FixtureFunction[], extra: readonly LocalResource[] = []): LocalAssembly {
  const resources: LocalResource[] = functions.map((fn) => {
    const assetPath = `asset.${fn.logicalId}`;
    mkdirSync(path.join(root, assetPath), { recursive: true });
    writeFileSync(path.join(root, assetPath, 'index.js'), fn.source);
    return {
      stackName: STACK,
      logicalId: fn.logicalId,
      type: 'AWS::Lambda::Function',
      ref: functionName(fn.logicalId),
      arn: functionArn(fn.logicalId),
      properties: {
        Handler: 'index.handler',
        Runtime: 'nodejs24.x',
        MemorySize: 256,
        ...(fn.timeout === undefined ? {} : { Timeout: fn.timeout }),
        Environment: { Variables: fn.variables ?? {} },
        ...fn.properties,
      },
      metadata: { 'aws:asset:path': assetPath, 'aws:asset:property': 'Code' },
    };
  });
  const all = [...resources, ...extra];
  return {
    region: REGION,
    accountId: ACCOUNT,
    resources: all,
    outputs: {},
    directory: root,
    ofType: (type) => all.filter((resource) => resource.type === type),
    find: (refOrArn) => all.find((resource) => resource.ref === refOrArn || resource.arn === refOrArn),
  };
}

const ECHO = `
const { randomUUID } = require('node:crypto');
const environmentId = randomUUID();
let invocations = 0;
const KEYS = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_EXECUTION_ENV', 'LAMBDA_TASK_ROOT', 'TZ', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_SQS', 'POWERTOOLS_TRACE_ENABLED',
  'AWS_XRAY_CONTEXT_MISSING', 'NODE_PATH', 'TABLE_NAME', 'LEAK_CHECK'];
exports.handler = async (event, context) => {
  invocations += 1;
  console.log('got', JSON.stringify(event));
  event.mutated = true;
  console.error('a line on stderr');
  return {
    event,
    environmentId,
    invocations,
    env: Object.fromEntries(KEYS.map((key) => [key, process.env[key]])),
    context: {
      awsRequestId: context.awsRequestId,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      remaining: context.getRemainingTimeInMillis(),
      callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
    },
    // The tmp dir is outside the project: this resolves only through NODE_PATH.
    sdk: typeof require('@aws-sdk/client-lambda').LambdaClient,
    notJson: () => 1,
    date: new Date(0),
  };
};
`;

const SLOW = `
const environmentId = require('node:crypto').randomUUID();
exports.handler = async (event, context) => {
  const startedAt = Date.now();
  await new Promise((resolve) => setTimeout(resolve, event.ms));
  return { environmentId, logStreamName: context.logStreamName, startedAt, endedAt: Date.now() };
};
`;

const FAIL = `
class OrderRejected extends Error {
  constructor(message) { super(message); this.name = 'OrderRejected'; }
}
exports.handler = async (event) => {
  console.log('attempt', JSON.stringify(event));
  throw new OrderRejected('no stock for ' + event.sku);
};
`;

const BUSY = `exports.handler = async () => { for (;;) { /* a synchronous loop only termination can stop */ } };`;

const CRASH = `
const environmentId = require('node:crypto').randomUUID();
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
exports.handler = async (event) => {
  if (event.mode === 'reject') { Promise.reject(new Error('lost promise')); await wait(500); return 'unreachable'; }
  if (event.mode === 'throw-later') { setTimeout(() => { throw new RangeError('thrown in a timer'); }, 10); await wait(500); return 'unreachable'; }
  if (event.mode === 'exit') { process.exit(3); }
  return { environmentId };
};
`;

const HEARTBEAT = `
const { appendFileSync } = require('node:fs');
setInterval(() => appendFileSync(process.env.HEARTBEAT_FILE, '.'), 10);
exports.handler = async () => 'beating';
`;

/** Counts its inits in a file: module code runs once per execution environment, as on Lambda. */
const INIT_ONCE = `
const { appendFileSync } = require('node:fs');
const environmentId = require('node:crypto').randomUUID();
appendFileSync(process.env.INIT_LOG, environmentId + '\\n');
let invocations = 0;
exports.handler = async (event) => {
  invocations += 1;
  if (event.ms) await new Promise((resolve) => setTimeout(resolve, event.ms));
  return { environmentId, invocations };
};
`;
/** Where INIT_ONCE writes a line per init. */
const INIT_LOG = path.join(tmpdir(), `lambda-init-once-${process.pid}-${Date.now()}.log`);

const CALLBACK = `exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { doubled: event.n * 2 }), 5); };`;

const SYNC_RETURN = `exports.handler = (event) => ({ ignored: true });`;

/** Invokes another function of the app with the SDK's defaults, as the orders cancel route invokes shipping's claim. */
const CALLER = `
const { InvokeCommand, LambdaClient } = require('@aws-sdk/client-lambda');
exports.handler = async (event) => {
  const out = await new LambdaClient({}).send(new InvokeCommand({ FunctionName: event.target, Payload: JSON.stringify({ n: event.n }) }));
  return { endpoint: process.env.AWS_ENDPOINT_URL_LAMBDA, result: JSON.parse(Buffer.from(out.Payload).toString()) };
};
`;

const ON_FAILURE_QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:order-failures`;
const DLQ = `arn:aws:sqs:${REGION}:${ACCOUNT}:order-dlq`;

const FUNCTIONS: readonly FixtureFunction[] = [
  { logicalId: 'EchoA1B2C3D4', source: ECHO, variables: { TABLE_NAME: 'orders-table', AWS_REGION: 'eu-west-3' } },
  { logicalId: 'Slow9F8E7D6C', source: SLOW },
  { logicalId: 'FailE5F6A7B8', source: FAIL },
  { logicalId: 'Busy12345678', source: BUSY, timeout: 1 },
  { logicalId: 'InitOnce5A5B5C5D', source: INIT_ONCE, timeout: 1, variables: { INIT_LOG } },
  { logicalId: 'InitErrorAAAA1111', source: `throw new TypeError('SIGNING_SECRET_ARN is not set');\nexports.handler = async () => 1;` },
  { logicalId: 'SyntaxBBBB2222', source: 'exports.handler = async () => {' },
  { logicalId: 'NoHandlerCCCC3333', source: 'exports.other = async () => 1;' },
  { logicalId: 'MissingDepDDDD4444', source: `require('left-pad-that-does-not-exist');\nexports.handler = async () => 1;` },
  { logicalId: 'CrashEEEE5555', source: CRASH },
  { logicalId: 'CallbackFFFF6666', source: CALLBACK },
  { logicalId: 'SyncReturn77778888', source: SYNC_RETURN },
  { logicalId: 'Caller3A3B3C3D', source: CALLER },
  { logicalId: 'FlakyDest0A0B0C0D', source: FAIL },
  { logicalId: 'FlakyDlq1A1B1C1D', source: FAIL, properties: { DeadLetterConfig: { TargetArn: DLQ } } },
  { logicalId: 'FlakyNone2A2B2C2D', source: FAIL },
];

const EVENT_INVOKE_CONFIG: LocalResource = {
  stackName: STACK,
  logicalId: 'FlakyDestEventInvokeConfig12AB34CD',
  type: 'AWS::Lambda::EventInvokeConfig',
  ref: 'eic-1',
  properties: {
    FunctionName: functionName('FlakyDest0A0B0C0D'),
    Qualifier: '$LATEST',
    MaximumRetryAttempts: 2,
    DestinationConfig: { OnFailure: { Destination: ON_FAILURE_QUEUE } },
  },
  metadata: {},
};

/** Polls `check` until it returns a value, for at most `timeoutMs`. */
async function eventually<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(20);
  }
}

/** A Lambda service of its own over `functions` (in a temp dir), stopped and removed after `use`. */
async function withOwnService(
  functions: readonly FixtureFunction[],
  options: Partial<LambdaServiceOptions> & { extra?: readonly LocalResource[] },
  use: (service: LambdaService, root: string) => Promise<void>,
): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'lambda-own-service-test-'));
  const { extra = [], ...serviceOptions } = options;
  const service = await startLambdaService(buildAssembly(root, functions, extra), { endpoints: {}, log: () => undefined, ...serviceOptions });
  try {
    await use(service, root);
  } finally {
    await service.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

function expectError(result: InvokeResult): LambdaError {
  if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.payload)}`);
  return result.error;
}

function payloadOf(result: InvokeResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`expected a result, got ${JSON.stringify(result.error)}`);
  return result.payload as Record<string, unknown>;
}

// ------------------------------------------------------------------- tests

describe('local Lambda service', () => {
  let root: string;
  let service: LambdaService;
  const lines: string[] = [];
  const deadLetters: Array<{ targetArn: string; body: string }> = [];

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'lambda-service-test-'));
    process.env.LEAK_CHECK = 'the parent environment must not leak into functions';
    service = await startLambdaService(buildAssembly(root, FUNCTIONS, [EVENT_INVOKE_CONFIG]), {
      endpoints: { DYNAMODB: 'http://127.0.0.1:8000', SQS: 'http://127.0.0.1:9324' },
      log: (line) => lines.push(line),
      asyncRetryDelaysMs: [50, 100],
      deadLetter: async (targetArn, body) => {
        deadLetters.push({ targetArn, body });
      },
    });
  });

  afterAll(async () => {
    await service.stop();
    delete process.env.LEAK_CHECK;
    rmSync(root, { recursive: true, force: true });
  });

  it('runs a handler with its own environment and a Lambda context, and forwards its output', async () => {
    const payload = payloadOf(await service.invoke(functionName('EchoA1B2C3D4'), { orderId: 'o-1' }));

    // The event was a copy (the handler's mutation shows in the result only); functions and Dates go through JSON.
    expect(payload.event).toEqual({ orderId: 'o-1', mutated: true });
    expect(payload.notJson).toBeUndefined();
    expect(payload.date).toBe('1970-01-01T00:00:00.000Z');
    expect(payload.sdk).toBe('function');

    const env = payload.env as Record<string, string | undefined>;
    expect(env).toMatchObject({
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_LAMBDA_FUNCTION_NAME: functionName('EchoA1B2C3D4'),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName('EchoA1B2C3D4')}`,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      LAMBDA_TASK_ROOT: path.join(root, 'asset.EchoA1B2C3D4'),
      TZ: ':UTC',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9324',
      POWERTOOLS_TRACE_ENABLED: 'false',
      AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
      TABLE_NAME: 'orders-table',
    });
    expect(env.NODE_PATH).toBe(path.resolve(__dirname, '../../node_modules'));
    expect(env.LEAK_CHECK).toBeUndefined();

    const context = payload.context as Record<string, unknown>;
    expect(context).toMatchObject({
      functionName: functionName('EchoA1B2C3D4'),
      functionVersion: '$LATEST',
      invokedFunctionArn: functionArn('EchoA1B2C3D4'),
      memoryLimitInMB: '256',
      logGroupName: `/aws/lambda/${functionName('EchoA1B2C3D4')}`,
      callbackWaitsForEmptyEventLoop: true,
    });
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context.logStreamName).toBe(env.AWS_LAMBDA_LOG_STREAM_NAME);
    expect(context.remaining).toBeGreaterThan(2000);
    expect(context.remaining).toBeLessThanOrEqual(3000);

    await eventually(() => (lines.includes('[Echo] got {"orderId":"o-1"}') ? true : undefined));
    await eventually(() => (lines.includes('[Echo] a line on stderr') ? true : undefined));
  });

  it('finds functions by name, ARN, qualified ARN and partial ARN', async () => {
    const name = functionName('EchoA1B2C3D4');
    expect(service.has(name)).toBe(true);
    expect(service.has(functionArn('EchoA1B2C3D4'))).toBe(true);
    expect(service.has(`${functionArn('EchoA1B2C3D4')}:$LATEST`)).toBe(true);
    expect(service.has(`${ACCOUNT}:function:${name}`)).toBe(true);
    expect(service.has('nope')).toBe(false);

    const viaArn = payloadOf(await service.invoke(`${functionArn('EchoA1B2C3D4')}:$LATEST`, {}));
    expect((viaArn.context as Record<string, unknown>).invokedFunctionArn).toBe(`${functionArn('EchoA1B2C3D4')}:$LATEST`);
    await expect(service.invoke('nope', {})).rejects.toThrow('Function not found: nope');
  });

  it('keeps module state between sequential invocations of one environment', async () => {
    const name = functionName('EchoA1B2C3D4');
    const first = payloadOf(await service.invoke(name, {}));
    const second = payloadOf(await service.invoke(name, {}));
    const third = payloadOf(await service.invoke(name, {}));
    expect(second.environmentId).toBe(first.environmentId);
    expect(third.environmentId).toBe(first.environmentId);
    expect([second.invocations, third.invocations]).toEqual([(first.invocations as number) + 1, (first.invocations as number) + 2]);
  });

  it("lets a function invoke another through the service's own Invoke API (AWS_ENDPOINT_URL_LAMBDA)", async () => {
    const payload = payloadOf(await service.invoke(functionName('Caller3A3B3C3D'), { target: functionArn('CallbackFFFF6666'), n: 21 }));
    expect(payload).toEqual({ endpoint: service.endpoint, result: { doubled: 42 } });
  });

  it('reports a thrown error as Lambda does', async () => {
    const error = expectError(await service.invoke(functionName('FailE5F6A7B8'), { sku: 'sku-9' }));
    expect(error.errorType).toBe('OrderRejected');
    expect(error.errorMessage).toBe('no stock for sku-9');
    expect(error.trace?.[0]).toBe('OrderRejected: no stock for sku-9');
    expect(error.trace?.some((line) => line.includes('index.js'))).toBe(true);
    await eventually(() => lines.find((line) => line.startsWith('[Fail] ') && line.includes('ERROR\tInvoke Error') && line.includes('OrderRejected')));
  });

  it('enforces the timeout by terminating the environment, even in a busy loop', async () => {
    const started = Date.now();
    const error = expectError(await service.invoke(functionName('Busy12345678'), {}));
    expect(error).toEqual({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(lines.some((line) => line.startsWith('[Busy] ') && line.endsWith('Task timed out after 1.00 seconds'))).toBe(true);
  });

  it('runs init once per environment, keeps its globals, and replaces the environment a timeout killed', async () => {
    const name = functionName('InitOnce5A5B5C5D');
    const inits = () => readFileSync(INIT_LOG, 'utf8').split('\n').filter(Boolean);
    try {
      const warm = [await service.invoke(name, {}), await service.invoke(name, {}), await service.invoke(name, {})].map(payloadOf);
      expect(new Set(warm.map((payload) => payload.environmentId)).size).toBe(1);
      expect(warm.map((payload) => payload.invocations)).toEqual([1, 2, 3]);
      expect(inits()).toEqual([warm[0]!.environmentId]);

      expect(expectError(await service.invoke(name, { ms: 1500 })).errorType).toBe('Sandbox.Timedout');
      // The killed environment's globals are gone: the next invocation inits a new one.
      const fresh = payloadOf(await service.invoke(name, {}));
      expect(fresh.environmentId).not.toBe(warm[0]!.environmentId);
      expect(fresh.invocations).toBe(1);
      expect(inits()).toEqual([warm[0]!.environmentId, fresh.environmentId]);
    } finally {
      rmSync(INIT_LOG, { force: true });
    }
  });

  it('reports init errors as Lambda does and retries init on the next invocation', async () => {
    const init = expectError(await service.invoke(functionName('InitErrorAAAA1111'), {}));
    expect(init.errorType).toBe('TypeError');
    expect(init.errorMessage).toBe('SIGNING_SECRET_ARN is not set');
    // A new environment tries again (and fails again).
    expect(expectError(await service.invoke(functionName('InitErrorAAAA1111'), {})).errorType).toBe('TypeError');

    const syntax = expectError(await service.invoke(functionName('SyntaxBBBB2222'), {}));
    expect(syntax.errorType).toBe('Runtime.UserCodeSyntaxError');
    expect(syntax.errorMessage).toMatch(/^SyntaxError: /);

    const noHandler = expectError(await service.invoke(functionName('NoHandlerCCCC3333'), {}));
    expect(noHandler).toMatchObject({ errorType: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported' });

    const missing = expectError(await service.invoke(functionName('MissingDepDDDD4444'), {}));
    expect(missing.errorType).toBe('Runtime.ImportModuleError');
    expect(missing.errorMessage).toContain("Cannot find module 'left-pad-that-does-not-exist'");
  });

  it('discards an environment after an unhandled rejection, an uncaught exception or an exit', async () => {
    const name = functionName('CrashEEEE5555');
    const before = payloadOf(await service.invoke(name, {})).environmentId;

    const rejection = expectError(await service.invoke(name, { mode: 'reject' }));
    expect(rejection.errorType).toBe('Runtime.UnhandledPromiseRejection');
    expect(rejection.errorMessage).toBe('Error: lost promise');
    const afterRejection = payloadOf(await service.invoke(name, {})).environmentId;
    expect(afterRejection).not.toBe(before);

    const uncaught = expectError(await service.invoke(name, { mode: 'throw-later' }));
    expect(uncaught).toMatchObject({ errorType: 'RangeError', errorMessage: 'thrown in a timer' });
    expect(payloadOf(await service.invoke(name, {})).environmentId).not.toBe(afterRejection);

    const exit = expectError(await service.invoke(name, { mode: 'exit' }));
    expect(exit.errorType).toBe('Runtime.ExitError');
    expect(exit.errorMessage).toMatch(/Runtime exited with error: exit status 3$/);
    expect(payloadOf(await service.invoke(name, {})).environmentId).toBeDefined();
  });

  it('supports callback handlers and ignores the return value of other synchronous handlers', async () => {
    expect(payloadOf(await service.invoke(functionName('CallbackFFFF6666'), { n: 21 }))).toEqual({ doubled: 42 });
    const result = await service.invoke(functionName('SyncReturn77778888'), {});
    expect(result).toEqual({ ok: true, payload: null });
  });

  it('runs concurrent invocations in separate environments', async () => {
    const name = functionName('Slow9F8E7D6C');
    const batch = async (ms: number): Promise<Array<Record<string, unknown>>> =>
      (await Promise.all(Array.from({ length: 5 }, () => service.invoke(name, { ms })))).map(payloadOf);
    // Every handler started before the first one ended: they ran at the same time. The handlers
    // sleep long enough for five workers' starts to overlap on a loaded 2-core run.
    const overlapping = (payloads: Array<Record<string, unknown>>) =>
      Math.max(...payloads.map((payload) => payload.startedAt as number)) < Math.min(...payloads.map((payload) => payload.endedAt as number));

    // Cold: five environments start, one per invocation, and all five handlers run at the same moment.
    const cold = await batch(2_000);
    const environments = new Set(cold.map((payload) => payload.environmentId));
    expect(environments.size).toBe(5);
    expect(new Set(cold.map((payload) => payload.logStreamName)).size).toBe(5);
    expect(overlapping(cold)).toBe(true);

    // Warm: the same five environments serve the next batch, again at the same time.
    const warm = await batch(1_000);
    expect(new Set(warm.map((payload) => payload.environmentId))).toEqual(environments);
    expect(overlapping(warm)).toBe(true);
    expect(service.environmentCount()).toBeGreaterThanOrEqual(5);
  });

  it('queues invocations beyond the per-function cap', async () => {
    await withOwnService([{ logicalId: 'Slow9F8E7D6C', source: SLOW }], { maxEnvironmentsPerFunction: 2 }, async (small) => {
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 4 }, () => small.invoke(functionName('Slow9F8E7D6C'), { ms: 200 })));
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      expect(new Set(results.map((result) => payloadOf(result).environmentId)).size).toBe(2);
      expect(small.environmentCount()).toBe(2);
    });
  });

  it('past the eager environments, lets invocations wait for a busy one that keeps freeing up instead of starting another', async () => {
    await withOwnService([{ logicalId: 'Slow9F8E7D6C', source: SLOW }], { eagerEnvironmentsPerFunction: 2, environmentPatienceMs: 1000 }, async (shared) => {
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all(Array.from({ length: 8 }, () => shared.invoke(functionName('Slow9F8E7D6C'), { ms: 5 })));
        expect(results.every((result) => result.ok)).toBe(true);
      }
      expect(shared.environmentCount()).toBe(2);
    });
  });

  it('adds an environment past the eager ones once none has freed up for the patience: a function invoking itself does not deadlock', async () => {
    const recurse = `
const { InvokeCommand, LambdaClient } = require('@aws-sdk/client-lambda');
const environmentId = require('node:crypto').randomUUID();
exports.handler = async (event, context) => {
  if (event.depth === 0) return [environmentId];
  const out = await new LambdaClient({}).send(new InvokeCommand({ FunctionName: context.functionName, Payload: JSON.stringify({ depth: event.depth - 1 }) }));
  return [environmentId, ...JSON.parse(Buffer.from(out.Payload).toString())];
};
`;
    // 30 s: each call waits for the next environment's cold start (the Lambda client's load), which
    // passed the default 3 s under a loaded test run; a deadlock would outlast any timeout.
    await withOwnService([{ logicalId: 'Recurse4C4D4E4F', source: recurse, timeout: 30 }], { eagerEnvironmentsPerFunction: 1, environmentPatienceMs: 50 }, async (held) => {
      const chain = payloadOf(await held.invoke(functionName('Recurse4C4D4E4F'), { depth: 2 })) as unknown as string[];
      expect(new Set(chain).size).toBe(3);
      expect(held.environmentCount()).toBe(3);
    });
  });

  it('lets asynchronous invocations wait for an environment that is starting instead of each starting one', async () => {
    const successes: string[] = [];
    const onSuccess: LocalResource = {
      ...EVENT_INVOKE_CONFIG,
      logicalId: 'SlowEventInvokeConfig56EF78AB',
      properties: { FunctionName: functionName('Slow9F8E7D6C'), Qualifier: '$LATEST', DestinationConfig: { OnSuccess: { Destination: ON_FAILURE_QUEUE } } },
    };
    const deadLetter = async (_targetArn: string, body: string) => void successes.push(body);
    await withOwnService([{ logicalId: 'Slow9F8E7D6C', source: SLOW }], { extra: [onSuccess], deadLetter }, async (patient) => {
      // A burst, as a relay's batch of events reaches a consumer: synchronous calls would start six environments.
      for (let event = 0; event < 6; event++) patient.invokeAsync(functionName('Slow9F8E7D6C'), { ms: 0 });
      await eventually(() => (successes.length === 6 ? true : undefined), 15_000);
      const environments = new Set(successes.map((body) => (JSON.parse(body) as { responsePayload: { environmentId: string } }).responsePayload.environmentId));
      expect(environments.size).toBeLessThanOrEqual(2);
      expect(patient.environmentCount()).toBeLessThanOrEqual(2);
    });
  });

  it('keeps the compiled code of what an environment loads in the compile cache directory, for the next cold start', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'lambda-compile-cache-test-'));
    try {
      await withOwnService([{ logicalId: 'Slow9F8E7D6C', source: SLOW }], { compileCacheDirectory: cache }, async (cached) => {
        expect(payloadOf(await cached.invoke(functionName('Slow9F8E7D6C'), { ms: 0 })).environmentId).toBeDefined();
        expect(readdirSync(cache, { recursive: true }).length).toBeGreaterThan(0);
      });
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  describe('asynchronous invocation', () => {
    it('retries twice, then sends the destination record to the on-failure destination', async () => {
      const payload = { sku: 'sku-async', orderId: 'o-42' };
      service.invokeAsync(functionName('FlakyDest0A0B0C0D'), payload);
      const sent = await eventually(() => deadLetters.find((letter) => letter.targetArn === ON_FAILURE_QUEUE));
      const record = JSON.parse(sent.body) as Record<string, Record<string, unknown>>;
      expect(record.requestContext).toMatchObject({
        functionArn: `${functionArn('FlakyDest0A0B0C0D')}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      });
      expect(record.requestPayload).toEqual(payload);
      expect(record.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
      expect(record.responsePayload).toMatchObject({ errorType: 'OrderRejected', errorMessage: 'no stock for sku-async' });
      const attempts = lines.filter((line) => line === `[FlakyDest] attempt ${JSON.stringify(payload)}`);
      expect(attempts).toHaveLength(3);
    });

    it('sends the event itself to the dead-letter queue', async () => {
      service.invokeAsync(functionName('FlakyDlq1A1B1C1D'), { sku: 'sku-dlq' });
      const sent = await eventually(() => deadLetters.find((letter) => letter.targetArn === DLQ));
      expect(JSON.parse(sent.body)).toEqual({ sku: 'sku-dlq' });
    });

    it('logs a dropped event loudly when there is nowhere to send it', async () => {
      service.invokeAsync(functionName('FlakyNone2A2B2C2D'), { sku: 'sku-lost' });
      const warning = await eventually(() => lines.find((line) => line.includes('WARNING') && line.includes('sku-lost')));
      expect(warning).toContain('failed 3 time(s)');
      expect(warning).toContain('event dropped');
    });

    it('logs invocations of unknown functions', () => {
      service.invokeAsync('no-such-function', { a: 1 });
      expect(lines.some((line) => line.includes('no function no-such-function'))).toBe(true);
    });
  });

  describe('Invoke API', () => {
    let client: LambdaClient;

    beforeAll(() => {
      client = new LambdaClient({ endpoint: service.endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    });

    afterAll(() => client.destroy());

    it('invokes a function with InvokeCommand', async () => {
      const response = await client.send(
        new InvokeCommand({ FunctionName: functionName('EchoA1B2C3D4'), Payload: Buffer.from(JSON.stringify({ via: 'sdk' })) }),
      );
      expect(response.StatusCode).toBe(200);
      expect(response.FunctionError).toBeUndefined();
      expect(response.ExecutedVersion).toBe('$LATEST');
      const payload = JSON.parse(Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;
      expect(payload.event).toEqual({ via: 'sdk', mutated: true });
    });

    it('accepts an ARN as FunctionName', async () => {
      const response = await client.send(new InvokeCommand({ FunctionName: functionArn('SyncReturn77778888') }));
      expect(response.StatusCode).toBe(200);
      expect(Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8')).toBe('null');
    });

    it('returns function errors with X-Amz-Function-Error', async () => {
      const response = await client.send(
        new InvokeCommand({ FunctionName: functionName('FailE5F6A7B8'), Payload: Buffer.from(JSON.stringify({ sku: 'sku-http' })) }),
      );
      expect(response.StatusCode).toBe(200);
      expect(response.FunctionError).toBe('Unhandled');
      const error = JSON.parse(Buffer.from(response.Payload ?? new Uint8Array()).toString('utf8')) as LambdaError;
      expect(error).toMatchObject({ errorType: 'OrderRejected', errorMessage: 'no stock for sku-http' });
    });

    it('answers ResourceNotFoundException for an unknown function', async () => {
      const failure = await client.send(new InvokeCommand({ FunctionName: 'no-such-function' })).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).toMatchObject({
        name: 'ResourceNotFoundException',
        message: `Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:no-such-function`,
        $metadata: { httpStatusCode: 404 },
      });
    });

    it('queues Event invocations and answers DryRun', async () => {
      const event = await client.send(
        new InvokeCommand({ FunctionName: functionName('EchoA1B2C3D4'), InvocationType: 'Event', Payload: Buffer.from('{"via":"event"}') }),
      );
      expect(event.StatusCode).toBe(202);
      await eventually(() => (lines.includes('[Echo] got {"via":"event"}') ? true : undefined));

      const dryRun = await client.send(new InvokeCommand({ FunctionName: functionName('EchoA1B2C3D4'), InvocationType: 'DryRun' }));
      expect(dryRun.StatusCode).toBe(204);
    });

    it('rejects a payload that is not JSON', async () => {
      const failure = await client
        .send(new InvokeCommand({ FunctionName: functionName('EchoA1B2C3D4'), Payload: Buffer.from('{not json') }))
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ name: 'InvalidRequestContentException', $metadata: { httpStatusCode: 400 } });
    });
  });
});

describe('local Lambda service shutdown', () => {
  it('stop() terminates every environment, the server and pending retries', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lambda-stop-test-'));
    const heartbeat = path.join(root, 'heartbeat.txt');
    writeFileSync(heartbeat, '');
    const service = await startLambdaService(
      buildAssembly(root, [
        { logicalId: 'HeartbeatABCD1234', source: HEARTBEAT, variables: { HEARTBEAT_FILE: heartbeat } },
        { logicalId: 'FailE5F6A7B8', source: FAIL },
      ]),
      { endpoints: {}, log: () => undefined, quiet: true, asyncRetryDelaysMs: [60_000, 60_000] },
    );
    try {
      await Promise.all(Array.from({ length: 3 }, () => service.invoke(functionName('HeartbeatABCD1234'), {})));
      expect(service.environmentCount()).toBeGreaterThanOrEqual(1);
      // A failing async invocation leaves a one-minute retry timer behind.
      service.invokeAsync(functionName('FailE5F6A7B8'), { sku: 'x' });
      await delay(300);
      const size = statSync(heartbeat).size;
      expect(size).toBeGreaterThan(0);

      await service.stop();

      expect(service.environmentCount()).toBe(0);
      const stoppedAt = statSync(heartbeat).size;
      await delay(200);
      // No worker thread is left running code.
      expect(statSync(heartbeat).size).toBe(stoppedAt);
      await expect(fetch(`${service.endpoint}/2015-03-31/functions/x/invocations`, { method: 'POST' })).rejects.toThrow();
      await expect(service.invoke(functionName('HeartbeatABCD1234'), {})).rejects.toThrow('stopped');
    } finally {
      await service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('local Lambda service environments', () => {
  const HEAP = `
const v8 = require('node:v8');
exports.handler = async () => {
  // A quiet service drops the output where it is written: the write's callback still runs.
  await new Promise((resolve) => process.stdout.write('x'.repeat(100000) + '\\n', resolve));
  console.log('a quiet line');
  return { heapLimitMb: v8.getHeapStatistics().heap_size_limit / 1024 / 1024 };
};
`;

  it("sizes V8's heap from the function's memory as Lambda's runtime does; a quiet service drops the output", async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'lambda-heap-test-'));
    const lines: string[] = [];
    const service = await startLambdaService(
      buildAssembly(root, [
        { logicalId: 'Heap128AAAA1111', source: HEAP, properties: { MemorySize: 128 } },
        { logicalId: 'Heap1024BBBB2222', source: HEAP, properties: { MemorySize: 1024 } },
      ]),
      { endpoints: {}, log: (line) => lines.push(line), quiet: true },
    );
    try {
      const small = payloadOf(await service.invoke(functionName('Heap128AAAA1111'), {}));
      const large = payloadOf(await service.invoke(functionName('Heap1024BBBB2222'), {}));
      // Old space 128 - 12 MB and 1024 - 102 MB, plus the new space (V8 adds a little of its own).
      expect(small.heapLimitMb).toBeGreaterThan(115);
      expect(small.heapLimitMb).toBeLessThan(160);
      expect(large.heapLimitMb).toBeGreaterThan(920);
      expect(large.heapLimitMb).toBeLessThan(1200);
      expect(lines.filter((line) => line.includes('quiet line') || line.includes('xxxx'))).toEqual([]);
    } finally {
      await service.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
