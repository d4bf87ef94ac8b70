/**
 * Loads fauxqs, the in-process SQS emulator, together with the store classes it keeps private.
 *
 * fauxqs files every queue under the exact URL it was created with, and its public API only
 * creates `http://sqs.<region>.<host>:<port>/000000000000/<name>` URLs with `000000000000` ARNs.
 * Neither fits here: the app's SDK clients send requests to the QueueUrl's own origin (the SQS
 * client's `useQueueUrlAsEndpoint`), and `*.localhost` host names do not resolve everywhere.
 * Handing fauxqs our own store lets us register each queue under the URL and ARN the template
 * resolver produced, so every request the app makes finds its queue.
 *
 * fauxqs is ESM-only with an `import`-only export map, so it is loaded with `import()`: a static
 * import becomes `require()` when tsx runs the runtime as CommonJS, and that fails.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Fauxqs from 'fauxqs';

export type FauxqsStores = NonNullable<Fauxqs.BuildAppOptions['stores']>;
export type SqsStore = FauxqsStores['sqsStore'];
export type FauxqsApp = ReturnType<typeof Fauxqs.buildApp>;

export interface FauxqsModule {
  readonly buildApp: typeof Fauxqs.buildApp;
  /** Fresh, empty stores to build an app with. */
  createStores(): FauxqsStores;
}

/** The store modules, relative to fauxqs's `dist` folder (fauxqs is pinned; see package.json). */
const STORE_MODULES = {
  sqsStore: { path: 'sqs/sqsStore.js', exportName: 'SqsStore' },
  snsStore: { path: 'sns/snsStore.js', exportName: 'SnsStore' },
  s3Store: { path: 's3/s3Store.js', exportName: 'S3Store' },
} as const;

export async function loadFauxqs(): Promise<FauxqsModule> {
  const fauxqs = await import('fauxqs');
  const dist = fauxqsDistDir();
  const [SqsStore, SnsStore, S3Store] = await Promise.all([
    storeClass<FauxqsStores['sqsStore']>(dist, STORE_MODULES.sqsStore),
    storeClass<FauxqsStores['snsStore']>(dist, STORE_MODULES.snsStore),
    storeClass<FauxqsStores['s3Store']>(dist, STORE_MODULES.s3Store),
  ]);
  return {
    buildApp: fauxqs.buildApp,
    createStores: () => ({ sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() }),
  };
}

/** `require.resolve` cannot resolve fauxqs itself (no `require` export), so search its lookup paths. */
function fauxqsDistDir(): string {
  const require = createRequire(import.meta.url);
  const candidates = (require.resolve.paths('fauxqs') ?? []).map((dir) => join(dir, 'fauxqs', 'dist'));
  const found = candidates.find((dir) => existsSync(join(dir, 'app.js')));
  if (!found) throw new Error('fauxqs is not installed (looked in node_modules for fauxqs/dist/app.js)');
  return found;
}

async function storeClass<T>(dist: string, module: { path: string; exportName: string }): Promise<new () => T> {
  const file = join(dist, module.path);
  const loaded: unknown = await import(pathToFileURL(file).href);
  const constructor = isRecord(loaded) ? loaded[module.exportName] : undefined;
  if (typeof constructor !== 'function') {
    throw new Error(`${file} no longer exports ${module.exportName}: fauxqs changed its layout, pin the version in package.json`);
  }
  return constructor as new () => T;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
