import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import type { BuildOptions } from 'esbuild';
import type { IConstruct } from 'constructs';
import { buildOpenApiDocument } from '../../functions/contracts/openapi';
import { OPENAPI_DOCUMENT_FILE } from '../../functions/edge/openapi-document';
import { processTempDir } from './process-temp-dir';

/**
 * Bundles every Lambda handler of the project in one esbuild pass, once per synth.
 *
 * NodejsFunction runs `npx esbuild` once per function (about 2 s each here), which would make
 * synth, and so `npm start`, take a minute; one pass over all entries takes about a second
 * and produces the same kind of output: one CommonJS file per function. The pass runs in a
 * process of its own (bundle-pass.mjs), for the plugin that trims what the AWS SDK costs a cold
 * start (the schemas of the operations a function never calls among them).
 */
const HANDLER_DIRS = /^functions\/[a-z-]+\/handlers$/;

function handlerEntries(root: string): string[] {
  const entries: string[] = [];
  const walk = (dir: string) => {
    for (const item of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = `${dir}/${item.name}`;
      if (item.isDirectory()) walk(relative);
      else if (HANDLER_DIRS.test(dir) && item.name.endsWith('.ts')) entries.push(relative);
    }
  };
  walk('functions');
  return entries;
}

/**
 * The credential providers of the SDK's default chain that come after the environment: shared
 * config and SSO profiles, credential processes, web identity tokens, console logins, container
 * and instance metadata, and the STS, SSO and sign-in clients they call. Lambda sets the
 * execution role's credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), as LocalStack and the offline runtime do, so the chain stops at its first
 * link and these never load; bundled, they were a fifth of a bundle (143 KiB) compiled at every
 * cold start: 6-16 ms of CPU per cold start in an interleaved A/B (see the README's Measure
 * section). Left out, each stays the SDK's own dynamic `import()`, which only a chain running past
 * the environment reaches, and there fails (module not found): a bundle runs only where its
 * credentials are in the environment.
 */
const NEVER_LOADED_ON_LAMBDA = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

/**
 * Files written beside a handler's bundle, computed once when bundling: what a function would
 * otherwise compute at every cold start from its source alone. The OpenAPI document is built
 * from the zod schemas of every route; built at init, it was the OpenAPI function's costliest
 * work (see the README's Measure section).
 */
const BUILT_BESIDE: Record<string, Record<string, () => string>> = {
  'functions/edge/handlers/open-api.ts': { [OPENAPI_DOCUMENT_FILE]: () => JSON.stringify(buildOpenApiDocument()) },
};

const BUNDLE_PASS = path.join(__dirname, 'bundle-pass.mjs');

/** esbuild's build with bundle-pass.mjs's plugin; a failed build throws (esbuild printed why on stderr). */
function buildWithPlugins(options: BuildOptions): void {
  execFileSync(process.execPath, [BUNDLE_PASS], { input: JSON.stringify(options), stdio: ['pipe', 'inherit', 'inherit'] });
}

const bundles = new Map<string, string>();

function bundleAll(root: string): string {
  const cached = bundles.get(root);
  if (cached) return cached;
  // Synth stages a copy of each bundle into the cloud assembly (asset.<hash>), so this pass's
  // output serves only the process's own synths: `cdk synth`, tests and benches left 12 MB each.
  const outdir = processTempDir('commerce-bundles-');
  const entryPoints = Object.fromEntries(
    handlerEntries(root).map((entry) => [entry.replace(/\.ts$/, '/index'), path.join(root, entry)]),
  );
  buildWithPlugins({
    absWorkingDir: root,
    entryPoints,
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // ESM builds of the dependencies tree-shake; their CommonJS builds do not.
    mainFields: ['module', 'main'],
    // Identifiers are not minified, so every function and class keeps its own name (stack
    // traces, `new.target.name` of our errors) with no `keepNames`: that option names each
    // function with a defineProperty call where it is created, and the SDK's middleware stack
    // creates about 20 such closures per stack, four stacks per document client command: 6 % of
    // a hot GetProduct's CPU profile, and about a thousand calls at each cold start. Without it a
    // hot GetProduct costs about 7 % less CPU per call and a cold import about 6 % less, though
    // bundles are about 40 % larger (2026-12-03).
    minifyWhitespace: true,
    minifySyntax: true,
    // The AWS SDK is bundled, not left to the one the Lambda runtime ships: the versions in
    // package-lock.json are the ones tested and the ones that run, and the tree-shaken ESM build
    // of the clients a function uses starts faster than the runtime's whole CommonJS packages
    // (measured with `npm run bench -- init`: see the README's Measure section).
    external: NEVER_LOADED_ON_LAMBDA,
    logLevel: 'warning',
    legalComments: 'none',
  });
  for (const [entry, files] of Object.entries(BUILT_BESIDE)) {
    const dir = entry.replace(/\.ts$/, '');
    // A project without that handler (a test's, say) has nothing to put them beside.
    if (!(`${dir}/index` in entryPoints)) continue;
    for (const [name, contents] of Object.entries(files)) writeFileSync(path.join(outdir, dir, name), contents());
  }
  bundles.set(root, outdir);
  return outdir;
}

/**
 * The directory holding the bundled `index.js` of a handler module (a path relative to `root`).
 * In a stack that CDK's `aws:cdk:bundling-stacks` context leaves out (`cdk deploy -e` of another
 * stack, or the template-only tests, which set it to `[]`), nothing is bundled, as NodejsFunction
 * does: the asset is the handler's source directory, which no deploy of that stack will use.
 */
export function bundledHandler(root: string, entry: string, scope?: IConstruct): string {
  if (!HANDLER_DIRS.test(path.posix.dirname(entry))) {
    throw new Error(`${entry} is not a handler module: handlers live in functions/<name>/handlers/`);
  }
  if (scope && !Stack.of(scope).bundlingRequired) return path.join(root, path.dirname(entry));
  return path.join(bundleAll(root), entry.replace(/\.ts$/, ''));
}
