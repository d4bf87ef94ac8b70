import { describe, expect, it } from 'vitest';
import { writableTables } from '../../../local/lambda-event-sources/writable-tables';
import type { LocalResource } from '../../../local/types';
import { assemblyOf } from '../../support/local-assembly';

const ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table';
const table = (name: string): LocalResource => ({
  stackName: 's', logicalId: name, type: 'AWS::DynamoDB::Table', ref: name, arn: `${ARN}/${name}`, properties: {}, metadata: {},
});
const role = (name: string, properties: Record<string, unknown> = {}): LocalResource => ({
  stackName: 's', logicalId: name, type: 'AWS::IAM::Role', ref: name, arn: `arn:aws:iam::000000000000:role/${name}`, properties, metadata: {},
});
const fn = (name: string, roleName: string): LocalResource => ({
  stackName: 's', logicalId: name, type: 'AWS::Lambda::Function', ref: name,
  arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`, properties: { Role: `arn:aws:iam::000000000000:role/${roleName}` }, metadata: {},
});
const policy = (roleName: string, ...statements: Record<string, unknown>[]): LocalResource => ({
  stackName: 's', logicalId: `${roleName}Policy`, type: 'AWS::IAM::Policy', ref: `${roleName}Policy`,
  properties: { Roles: [roleName], PolicyDocument: { Version: '2012-10-17', Statement: statements } }, metadata: {},
});
const allow = (Action: string | string[], Resource: unknown) => ({ Effect: 'Allow', Action, Resource });

const names = (tables: ReturnType<ReturnType<typeof writableTables>>) => (tables === 'any' ? 'any' : [...tables].map((arn) => arn.split('/')[1]).sort());

describe('writableTables: the tables a function may write, from its role', () => {
  const tables = [table('orders'), table('stock'), table('users')];

  it('takes the tables its policies allow a write on, by name or ARN, and no read-only grant', () => {
    const writable = writableTables(assemblyOf([
      ...tables,
      fn('PlaceOrder', 'PlaceRole'), role('PlaceRole'),
      policy('PlaceRole', allow(['dynamodb:GetItem', 'dynamodb:PutItem'], `${ARN}/orders`), allow('dynamodb:GetItem', [`${ARN}/stock`, `${ARN}/users`])),
    ]));
    expect(names(writable('PlaceOrder'))).toEqual(['orders']);
    expect(names(writable('arn:aws:lambda:us-east-1:000000000000:function:PlaceOrder'))).toEqual(['orders']);
  });

  it('reads wildcards in actions and resources, and the role inline policies', () => {
    const writable = writableTables(assemblyOf([
      ...tables,
      fn('Wide', 'WideRole'),
      role('WideRole', { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [allow('dynamodb:*', `${ARN}/o*`), allow('dynamodb:update*', `${ARN}/stock/index/*`)] } }] }),
      policy('WideRole', allow('dynamodb:Batch*', `${ARN}/us?rs`)),
    ]));
    expect(names(writable('Wide'))).toEqual(['orders', 'users']);
  });

  it('a function with no write grant writes no table; Deny statements add none', () => {
    const writable = writableTables(assemblyOf([
      ...tables, fn('Reader', 'ReaderRole'), role('ReaderRole'),
      policy('ReaderRole', allow('dynamodb:Query', '*'), { Effect: 'Deny', Action: 'dynamodb:PutItem', Resource: '*' }),
    ]));
    expect(names(writable('Reader'))).toEqual([]);
  });

  it('any table when its role is not in the app or a statement is not plain', () => {
    const writable = writableTables(assemblyOf([
      ...tables, fn('Outsider', 'Elsewhere'), fn('Negated', 'NegatedRole'), role('NegatedRole'),
      policy('NegatedRole', { Effect: 'Allow', NotAction: 'dynamodb:DeleteTable', Resource: '*' }),
    ]));
    expect(writable('Outsider')).toBe('any');
    expect(writable('Negated')).toBe('any');
    expect(writable('NotAFunction')).toBe('any');
  });
});
