/** The names the API stack imports from here; the edge context's variables and loaders are in edge-config.ts. */
export { CALL_TIMEOUT_ENV, DEADLINE_ENV, FAULT_INJECTION_ENABLED, FAULT_INJECTION_ENV } from '../edge-config';
