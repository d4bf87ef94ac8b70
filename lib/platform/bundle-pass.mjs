/**
 * The bundler's esbuild pass (bundle.ts), run as a process of its own: bundle.ts answers
 * synchronously (CDK asks for a function's code as its construct is created), and esbuild takes
 * plugins only in its asynchronous API. Plain JavaScript so that Node runs it directly, whether
 * the parent runs under tsx, vitest or plain node. Input: esbuild's build options, as JSON on
 * stdin; exits non-zero when the build fails (esbuild has printed why on stderr).
 *
 * Its plugin lets esbuild drop the schemas of the SDK operations a function never calls.
 * Each AWS SDK client describes its operations and shapes in one module (schemas_0.js), as
 * arrays whose traits are objects keyed by the module's string constants: `{ [_h]: ["POST",
 * "/2015-03-31/functions/{FunctionName}/invocations", 200] }`. esbuild treats a computed key
 * as code that may run (a key's toString), so it keeps every such array, and every shape it
 * names: the Lambda client's whole API (46 KiB) in a function that only invokes, compiled at
 * each cold start. The plugin writes each such key as the string its constant holds (the same
 * object), and the schemas of unused operations are dropped like any unused constant. It also
 * hands each client its package.json as the one field the client reads (its version, for the
 * user agent): esbuild would otherwise carry the whole file (about 2 KiB per client).
 */
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

/** Each SDK client's schema modules (`dist-es/schemas/schemas_<n>.js`). */
const SDK_SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
/** Each SDK client's package.json, which its runtimeConfig.js imports for `packageInfo.version`. */
const SDK_CLIENT_PACKAGE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/;

/** `source` with each computed key `[name]:` naming one of its `const name = "...";` written as that string. */
function inlineConstantKeys(source) {
  const constants = new Map();
  for (const [, name, value] of source.matchAll(/^const (\w+) = ("[^"\\]*");$/gm)) constants.set(name, value);
  return source.replace(/\[(\w+)\]:/g, (key, name) => (constants.has(name) ? `${constants.get(name)}:` : key));
}

const sdkClientsTrimmed = {
  name: 'sdk-clients-trimmed',
  setup(bundler) {
    bundler.onLoad({ filter: SDK_SCHEMA_MODULE }, (args) => ({ contents: inlineConstantKeys(readFileSync(args.path, 'utf8')), loader: 'js' }));
    bundler.onLoad({ filter: SDK_CLIENT_PACKAGE }, (args) => {
      const { version } = JSON.parse(readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

const options = JSON.parse(readFileSync(0, 'utf8'));
await build({ ...options, plugins: [sdkClientsTrimmed] }).catch(() => process.exit(1));
