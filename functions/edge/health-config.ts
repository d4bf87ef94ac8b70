/** The name the API stack imports from here; the edge context's variables and loaders are in edge-config.ts. */
export { HEALTH_TABLES_ENV } from './edge-config';
