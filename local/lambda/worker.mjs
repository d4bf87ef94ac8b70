/**
 * One Lambda execution environment: the entry point of a worker thread started by
 * execution-environment.ts. Plain JavaScript so that Node loads it directly, whether the parent
 * runs under tsx, vitest or plain node.
 *
 * It does what the Node.js runtime interface client does on AWS: loads the handler module once
 * (init), then runs one invocation at a time, awaiting a returned promise, and reports results
 * and errors in the runtime's JSON shapes. An uncaught exception or unhandled rejection is
 * reported as the runtime does and the parent then discards this environment.
 *
 * Protocol (parent → worker): { type: 'invoke', requestId, event: JSON string, deadline: epoch ms,
 *   invokedFunctionArn, clientContext?: JSON string }
 * (worker → parent): { type: 'ready' } | { type: 'init-error', error } | { type: 'result', requestId,
 *   payload: JSON string } | { type: 'error', requestId, error } | { type: 'fatal', error }
 */
import { existsSync } from 'node:fs';
import * as nodeModule from 'node:module';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const settings = workerData;
const port = parentPort;

// ------------------------------------------------------------------ errors

/** The runtime's own error classes: their names become the `errorType` (`Runtime.ImportModuleError`, ...). */
class RuntimeError extends Error {
  constructor(type, reason) {
    super(String(reason));
    this.name = `Runtime.${type}`;
  }
}

/** The runtime interface client's `toRapidResponse`: Error-like values keep name/message/stack. */
function toLambdaError(error) {
  try {
    if (error instanceof Error || (error && typeof error === 'object' && 'stack' in error && 'message' in error)) {
      return {
        errorType: String(error.name),
        errorMessage: String(error.message),
        trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/** Lambda writes these to the function's log; so do we (the parent prefixes and forwards stderr). */
function logError(requestId, label, error) {
  process.stderr.write(`${new Date().toISOString()}\t${requestId}\tERROR\t${label} \t${JSON.stringify(error)}\n`);
}

let currentRequestId;

function fatal(error) {
  logError(currentRequestId ?? 'undefined', error.errorType.startsWith('Runtime.') ? error.errorType : 'Uncaught Exception', error);
  port.postMessage({ type: 'fatal', error });
}

/**
 * A quiet runtime drops the function's output: dropped here, where it is written, rather than
 * carried to the parent thread over the worker's stdio streams (a message per write) to be
 * discarded there, which cost the runtime a third of its own time per API request.
 */
function discardOutput() {
  for (const stream of [process.stdout, process.stderr]) {
    stream.write = (_chunk, encoding, callback) => {
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') process.nextTick(done);
      return true;
    };
  }
}

if (settings.discardOutput) discardOutput();

process.on('uncaughtException', (error) => fatal(toLambdaError(error)));
process.on('unhandledRejection', (reason) => {
  const rejection = new RuntimeError('UnhandledPromiseRejection', reason instanceof Error ? `${reason.name}: ${reason.message}` : reason);
  fatal(toLambdaError(rejection));
});

// -------------------------------------------------------------------- init

/** `src/app.handlers.create` → [`src/`, `app`, `handlers.create`], as the runtime splits it. */
function splitHandler(handler) {
  const base = path.basename(handler);
  const moduleRoot = handler.slice(0, handler.length - base.length);
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (!match) throw new RuntimeError('MalformedHandlerName', 'Bad handler');
  return [moduleRoot, match[1], match[2]];
}

async function loadModule(directory, moduleName) {
  const base = path.resolve(directory, moduleName);
  try {
    if (existsSync(`${base}.js`)) {
      try {
        return createRequire(`${base}.js`)(`${base}.js`);
      } catch (error) {
        // A .js file under `"type": "module"` is ESM: import it as the runtime does.
        if (error?.code !== 'ERR_REQUIRE_ESM' && error?.code !== 'ERR_REQUIRE_ASYNC_MODULE') throw error;
        return await import(pathToFileURL(`${base}.js`).href);
      }
    }
    if (existsSync(`${base}.mjs`)) return await import(pathToFileURL(`${base}.mjs`).href);
    if (existsSync(`${base}.cjs`)) return createRequire(`${base}.cjs`)(`${base}.cjs`);
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeError('UserCodeSyntaxError', error);
    if (error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND') throw new RuntimeError('ImportModuleError', error);
    throw error;
  }
  throw new RuntimeError('ImportModuleError', `Error: Cannot find module '${moduleName}'\nRequire stack:\n- ${fileURLToPath(import.meta.url)}`);
}

/**
 * V8's compiled code for the bundle and the modules it loads kept on disk (the runtime's choice
 * of directory; none when unset), so the next cold start of any environment of any start skips
 * compiling them again: a quarter of a bundle's load time. The function sees no difference.
 */
function useCompileCache() {
  if (settings.compileCacheDirectory && typeof nodeModule.enableCompileCache === 'function') nodeModule.enableCompileCache(settings.compileCacheDirectory);
}

/** Written at the end of init: a worker that is terminated never flushes the cache itself. */
function saveCompileCache() {
  if (settings.compileCacheDirectory && typeof nodeModule.flushCompileCache === 'function') nodeModule.flushCompileCache();
}

async function loadHandler() {
  useCompileCache();
  const [moduleRoot, moduleName, handlerPath] = splitHandler(settings.handler);
  const loaded = await loadModule(path.resolve(settings.codeDirectory, moduleRoot), moduleName);
  const find = (root) => handlerPath.split('.').reduce((value, key) => (value == null ? undefined : value[key]), root);
  // An ESM import of a CommonJS file exposes module.exports as `default`.
  const handler = find(loaded) ?? find(loaded?.default);
  if (handler === undefined || handler === null) throw new RuntimeError('HandlerNotFound', `${settings.handler} is undefined or not exported`);
  if (typeof handler !== 'function') throw new RuntimeError('HandlerNotFound', `${settings.handler} is not a function`);
  return handler;
}

// -------------------------------------------------------------- invocation

function contextFor(message) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: settings.functionVersion,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: settings.memoryLimitInMB,
    awsRequestId: message.requestId,
    logGroupName: settings.logGroupName,
    logStreamName: settings.logStreamName,
    identity: undefined,
    clientContext: message.clientContext === undefined ? undefined : JSON.parse(message.clientContext),
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
  };
}

/**
 * A promise-returning handler is awaited; a handler declaring a third parameter may answer
 * through the legacy callback; any other return value is ignored, as on AWS (the result is null).
 */
function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (error, value) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(value);
    };
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (error) {
      callback(error ?? new Error('handler threw a null value'));
      return;
    }
    if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') {
      returned.then(
        (value) => callback(null, value),
        (error) => {
          if (settled) return;
          settled = true;
          reject(error);
        },
      );
    } else if (handler.length < 3) {
      callback(null, null);
    }
  });
}

async function invoke(handler, message) {
  currentRequestId = message.requestId;
  try {
    const result = await callHandler(handler, JSON.parse(message.event), contextFor(message));
    let payload;
    try {
      payload = JSON.stringify(result === undefined ? null : result) ?? 'null';
    } catch (error) {
      throw new RuntimeError('MarshalError', `Unable to stringify response body: ${error?.message ?? error}`);
    }
    port.postMessage({ type: 'result', requestId: message.requestId, payload });
  } catch (thrown) {
    const error = toLambdaError(thrown);
    logError(message.requestId, 'Invoke Error', error);
    port.postMessage({ type: 'error', requestId: message.requestId, error });
  } finally {
    currentRequestId = undefined;
  }
}

try {
  const handler = await loadHandler();
  port.on('message', (message) => {
    if (message?.type === 'invoke') void invoke(handler, message);
  });
  port.postMessage({ type: 'ready' });
  saveCompileCache();
} catch (thrown) {
  const error = toLambdaError(thrown);
  logError('undefined', 'Uncaught Exception', error);
  port.postMessage({ type: 'init-error', error });
}
