import { beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_ENV } from '../../../functions/catalog/catalog-config';
import { ENV } from '../../../functions/shared/environment';
import { CatalogStack } from '../../../lib/catalog/catalog-stack';
import { OPS_OUTPUT } from '../../../lib/platform/ops-outputs';
import { expectDeadLettered, synthesizeStack, type StackTest } from '../../support/stack';
import { references } from '../../support/template';

let built: StackTest<CatalogStack>;
let prod: StackTest<CatalogStack>;

beforeAll(() => {
  built = synthesizeStack((app, platform, env) => new CatalogStack(app, 'catalog', { env, platform }));
  prod = synthesizeStack((app, platform, env) => new CatalogStack(app, 'catalog', { env, platform }), { stage: 'prod' });
}, 120_000);

/** The DynamoDB statements of a function: actions and the tables (and indexes) they name. */
function dynamoGrants({ statementsOf, logicalId }: StackTest<CatalogStack>, fn: Parameters<StackTest['statementsOf']>[0]) {
  return statementsOf(fn)
    .filter((s) => ([] as string[]).concat(s.Action).some((a) => a.startsWith('dynamodb:')))
    .map((s) => ({ actions: ([] as string[]).concat(s.Action).sort(), resource: JSON.stringify(s.Resource), tables: [...references(s.Resource)] }))
    .map(({ actions, resource, tables }) => ({
      actions,
      tables: tables.map((id) => (id === logicalId(built.stack.table) ? 'catalog' : id === logicalId(built.stack.searchTable) ? 'search' : id)),
      indexes: [...resource.matchAll(/\/index\/(gsi\d)/g)].map((m) => m[1]),
    }));
}

describe('CatalogStack search', () => {
  it('has a search projection table of its own with the changes index gsi1, and no stream', () => {
    const { resources, logicalId, stack } = built;
    const table = resources[logicalId(stack.searchTable)]!.Properties!;
    expect((table.GlobalSecondaryIndexes as { IndexName: string }[]).map((index) => index.IndexName)).toEqual(['gsi1']);
    expect(table.StreamSpecification).toBeUndefined();
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(prod.resources[prod.logicalId(prod.stack.searchTable)]!.Properties!.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });

  it('serves GET /products/search from the projection alone: Scan and Query, and the signing secret for cursors', () => {
    const fn = built.stack.routeFunctions.searchProducts;
    expect(built.resources[built.logicalId(fn)]!.Properties).toMatchObject({ Description: 'GET /products/search', MemorySize: 1024, Timeout: 20 });
    expect(dynamoGrants(built, fn)).toEqual([{ actions: ['dynamodb:Query', 'dynamodb:Scan'], tables: ['search'], indexes: ['gsi1'] }]);
    const variables = built.environmentOf(fn);
    expect(variables[CATALOG_ENV.searchTableName]).toEqual({ Ref: built.logicalId(built.stack.searchTable) });
    expect(variables).not.toHaveProperty(ENV.tableName);
    expect(variables).toHaveProperty(ENV.signingSecretArn);
  });

  it("keeps the projection by a dead-lettered consumer of the catalog's own events, writing PutItem on the projection only", () => {
    const { template, stack } = built;
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['commerce.catalog'], 'detail-type': ['ProductCreated', 'ProductUpdated', 'ProductArchived'] },
    });
    expectDeadLettered(built);
    const grants = dynamoGrants(built, stack.searchProjector);
    // The context's own table, as every consumer has it (ContextStack.task): it reads a product an old event lacks the description of.
    expect(grants.find((g) => g.tables.includes('catalog'))?.actions).toEqual(
      ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    );
    expect(grants.filter((g) => g.tables.includes('search'))).toEqual([{ actions: ['dynamodb:PutItem'], tables: ['search'], indexes: ['gsi1'] }]);
    expect(built.environmentOf(stack.searchProjector)[CATALOG_ENV.searchTableName]).toEqual({ Ref: built.logicalId(stack.searchTable) });
  });

  it('gives no other function of the stack the projection', () => {
    const { stack } = built;
    const { searchProducts, ...others } = stack.routeFunctions;
    for (const fn of Object.values(others)) expect(dynamoGrants(built, fn).flatMap((g) => g.tables)).not.toContain('search');
    expect(searchProducts).toBeDefined();
  });

  it('names both tables in outputs for the ops CLI', () => {
    const outputs = Object.keys(built.template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs.some((key) => key.includes(OPS_OUTPUT.catalogTableName))).toBe(true);
    expect(outputs.some((key) => key.includes(OPS_OUTPUT.searchTableName))).toBe(true);
  });

  it('passes the AwsSolutions checks', () => {
    expect(built.nagFindings()).toEqual([]);
    expect(prod.nagFindings()).toEqual([]);
  });
});
