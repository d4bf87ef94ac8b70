/**
 * The DynamoDB kit every store uses: the table's reads and writes (table.ts), the key names of
 * the single-table design (keys.ts, shared with the CDK app) and how DynamoDB's errors read
 * (errors.ts).
 */
export * from './errors';
export * from './items';
export * from './keys';
export * from './table';
