import { describe, expect, it } from 'vitest';
import { parseInvocation, USAGE, UsageError } from '../../../scripts/ops/cli';
import { opsResources } from '../../../ops/target';

describe('ops: rebuild search', () => {
  it('reads the command with its target and --dry-run, and lists it in the usage', () => {
    expect(parseInvocation(['rebuild', 'search', '--local', '--dry-run'])).toEqual({
      help: false, command: { name: 'rebuild search' }, target: { kind: 'local' }, dryRun: true,
    });
    expect(parseInvocation(['rebuild', 'search', '--stage', 'prod'])).toMatchObject({ target: { kind: 'stage', stage: 'prod' }, dryRun: false });
    expect(() => parseInvocation(['rebuild', 'search', 'extra'])).toThrow(UsageError);
    expect(USAGE).toContain('rebuild search');
  });

  it("finds the catalog's and the search projection's tables by the ids inside the output keys", () => {
    expect(opsResources({
      'commerce-dev-catalog': { OpsCatalogTableName1A2B3C4D: 'catalog-table', OpsSearchTableName5E6F7A8B: 'search-table' },
    })).toEqual({ deadLetterQueues: [], catalogTableName: 'catalog-table', searchTableName: 'search-table' });
  });
});
