/**
 * Which tables a function of the app may write, read from the IAM policies its role has in the
 * templates: the statements that allow a DynamoDB write action (PutItem, UpdateItem, DeleteItem,
 * BatchWriteItem, PartiQL's) and the tables their resources name. The runtime uses it to have the
 * pollers of those tables' streams look at once when the function ends (event-source-mappings.ts).
 *
 * Offline nothing enforces the policies, so this is a hint, not a limit: whatever cannot be read
 * plainly (a role that is not in the app, NotAction or NotResource, a condition the runtime does
 * not evaluate is ignored as if it held) counts as "any table", and a write the hint misses is
 * still read by the periodic poll.
 */
import type { LocalAssembly, LocalResource } from '../types';

/** Every table the function may write, or `any` when its policies do not say plainly. */
export type WritableTables = ReadonlySet<string> | 'any';

const WRITE_ACTIONS = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete'].map(
  (action) => `dynamodb:${action}`,
);

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** An IAM pattern (`*` and `?` wildcards, case-insensitive for actions) as a RegExp. */
function patternOf(pattern: string, flags = ''): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, flags);
}

const statementsOf = (document: unknown): Statement[] =>
  listOf((document as { Statement?: unknown } | undefined)?.Statement).filter((statement): statement is Statement => typeof statement === 'object' && statement !== null);

/** The policy documents attached to the role named `roleName`: its own Policies and every AWS::IAM::Policy or ManagedPolicy naming it. */
function documentsOf(assembly: LocalAssembly, role: LocalResource): unknown[] {
  const inline = listOf(role.properties.Policies).map((policy) => (policy as { PolicyDocument?: unknown }).PolicyDocument);
  const attached = [...assembly.ofType('AWS::IAM::Policy'), ...assembly.ofType('AWS::IAM::ManagedPolicy')]
    .filter((policy) => listOf(policy.properties.Roles).includes(role.ref))
    .map((policy) => policy.properties.PolicyDocument);
  return [...inline, ...attached];
}

/**
 * The tables of `tableArns` that the statements let the function write; `any` when one of them
 * grants writes in a way not read here.
 */
function tablesAllowed(statements: readonly Statement[], tableArns: readonly string[]): WritableTables {
  const tables = new Set<string>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    if (statement.NotAction !== undefined || statement.NotResource !== undefined) return 'any';
    const actions = listOf(statement.Action).map((action) => patternOf(String(action), 'i'));
    if (!WRITE_ACTIONS.some((write) => actions.some((action) => action.test(write)))) continue;
    for (const resource of listOf(statement.Resource)) {
      if (typeof resource !== 'string') return 'any';
      const pattern = patternOf(resource);
      for (const table of tableArns) if (pattern.test(table)) tables.add(table);
    }
  }
  return tables;
}

/** A lookup of the tables each function may write (by name or ARN, as the Lambda service names it), each worked out once. */
export function writableTables(assembly: LocalAssembly): (functionNameOrArn: string) => WritableTables {
  const tableArns = assembly.ofType('AWS::DynamoDB::Table').flatMap((table) => (table.arn ? [table.arn] : []));
  const known = new Map<string, WritableTables>();
  const work = (functionNameOrArn: string): WritableTables => {
    const role = assembly.find(String(assembly.find(functionNameOrArn)?.properties.Role ?? ''));
    if (role?.type !== 'AWS::IAM::Role') return 'any';
    return tablesAllowed(documentsOf(assembly, role).flatMap(statementsOf), tableArns);
  };
  return (functionNameOrArn) => {
    let tables = known.get(functionNameOrArn);
    if (tables === undefined) {
      tables = work(functionNameOrArn);
      known.set(functionNameOrArn, tables);
    }
    return tables;
  };
}
