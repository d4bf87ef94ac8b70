/**
 * Setup of the projects whose test files share worker processes (`isolate: false`: one Node
 * start, one load of vitest and of node_modules for many files, instead of one per file). Each
 * file still starts from the project's modules evaluated afresh (module-level clients, caches and
 * the configuration handlers read at load), as an isolated file does; and leaves environment
 * variables, stubbed globals and timers as it found them. What stays shared is node_modules'
 * state: a file that mocks an AWS client with aws-sdk-client-mock restores it if the files after
 * it may need the real one.
 */
import { afterAll, vi } from 'vitest';

vi.resetModules();
const environment = { ...process.env };

afterAll(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
});
