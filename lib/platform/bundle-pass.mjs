/**
 * The bundler's esbuild pass (bundle.ts), run as a process of its own: bundle.ts answers
 * synchronously (CDK asks for a function's code as its construct is created), and esbuild takes
 * plugins only in its asynchronous API. Plain JavaScript so that Node runs it directly, whether
 * the parent runs under tsx, vitest or plain node. Input: esbuild's build options, as JSON on
 * stdin; exits non-zero when the build fails (esbuild has printed why on stderr).
 *
 * Its plugin trims what the AWS SDK costs a cold start. It lets esbuild drop the schemas of the
 * SDK operations a function never calls: each client describes its operations and shapes in one
 * module (schemas_0.js), as arrays whose traits are objects keyed by the module's string
 * constants: `{ [_h]: ["POST", "/2015-03-31/functions/{FunctionName}/invocations", 200] }`.
 * esbuild treats a computed key as code that may run (a key's toString), so it keeps every such
 * array, and every shape it names: the Lambda client's whole API (46 KiB) in a function that
 * only invokes, compiled at each cold start. The plugin writes each such key as the string its constant holds (the same
 * object), and the schemas of unused operations are dropped like any unused constant. It also
 * hands each client its package.json as the one field the client reads (its version, for the
 * user agent): esbuild would otherwise carry the whole file (about 2 KiB per client). And it
 * makes the SDK's one dynamic import of a bundled module static: HTTP protocols load the event
 * stream serde with `await import("@smithy/core/event-streams")`, for which esbuild wraps that
 * module and every module it reaches (about 160, most of @smithy/core, which the function
 * loads anyway) in lazy initializers, a cost at every cold start (4 % of CancelOrder's and
 * GetOrder's import, counted in instructions).
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

/** Each SDK client's schema modules (`dist-es/schemas/schemas_<n>.js`). */
const SDK_SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
/** Each SDK client's package.json, which its runtimeConfig.js imports for `packageInfo.version`. */
const SDK_CLIENT_PACKAGE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/;
/** The module of the SDK's HTTP protocols, which imports the event stream serde on first use. */
const SDK_HTTP_PROTOCOL = /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]submodules[\\/]protocols[\\/]HttpProtocol\.js$/;
const EVENT_STREAMS = '@smithy/core/event-streams';

/** `source` with each computed key `[name]:` naming one of its `const name = "...";` written as that string. */
function inlineConstantKeys(source) {
  const constants = new Map();
  for (const [, name, value] of source.matchAll(/^const (\w+) = ("[^"\\]*");$/gm)) constants.set(name, value);
  return source.replace(/\[(\w+)\]:/g, (key, name) => (constants.has(name) ? `${constants.get(name)}:` : key));
}

/** `source` importing the event stream serde statically (unchanged if it no longer imports it dynamically). */
function eventStreamsImportedStatically(source) {
  const dynamic = `await import(${JSON.stringify(EVENT_STREAMS)})`;
  if (!source.includes(dynamic)) return source;
  return `import * as eventStreams from ${JSON.stringify(EVENT_STREAMS)};\n${source.replaceAll(dynamic, 'eventStreams')}`;
}

const sdkClientsTrimmed = {
  name: 'sdk-clients-trimmed',
  setup(bundler) {
    bundler.onLoad({ filter: SDK_SCHEMA_MODULE }, (args) => ({ contents: inlineConstantKeys(readFileSync(args.path, 'utf8')), loader: 'js' }));
    bundler.onLoad({ filter: SDK_CLIENT_PACKAGE }, (args) => {
      const { version } = JSON.parse(readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
    bundler.onLoad({ filter: SDK_HTTP_PROTOCOL }, (args) => ({ contents: eventStreamsImportedStatically(readFileSync(args.path, 'utf8')), loader: 'js' }));
  },
};

const options = JSON.parse(readFileSync(0, 'utf8'));
await build({ ...options, plugins: [sdkClientsTrimmed] }).catch(() => process.exit(1));
