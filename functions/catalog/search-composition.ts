import { dynamoSearchProjection } from './adapters/dynamo-search-projection';
import { catalogConfig } from './catalog-config';
import { LiveSearchIndex } from './domain/search';

/**
 * The composition root of the search side: the projection's table only (the search route is
 * not given the catalog table), and the execution environment's index of it.
 */
export const searchProjection = dynamoSearchProjection(catalogConfig.searchTableName());
export const searchIndex = new LiveSearchIndex(searchProjection);
