/**
 * The variables the catalog stack sets on the catalog's search functions, and their loaders.
 * Imports nothing but the reader, so the CDK app can use the names without loading runtime code.
 */
import { nonEmpty, readVariable } from '../shared/config';

export const CATALOG_ENV = {
  /** The search projection's table (the catalog table is the shared TABLE_NAME). */
  searchTableName: 'SEARCH_TABLE_NAME',
} as const;

export const catalogConfig = {
  searchTableName: () => readVariable(CATALOG_ENV.searchTableName, nonEmpty),
};
