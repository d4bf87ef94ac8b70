/** JSON object of context name → table name, checked by GET /health. Import-free for the CDK app. */
export const HEALTH_TABLES_ENV = 'HEALTH_TABLES';
