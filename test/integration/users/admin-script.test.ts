import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHandlerEnvironment } from '../../support/handler-env';
import { call } from '../../support/http';

let tableName: string;
let admin: typeof import('../../../scripts/admin');
let login: Parameters<typeof call>[0];
let getMe: Parameters<typeof call>[0];

beforeAll(async () => {
  ({ tableName } = await useHandlerEnvironment('admin'));
  admin = await import('../../../scripts/admin');
  login = (await import('../../../functions/users/handlers/login')).handler;
  getMe = (await import('../../../functions/users/handlers/get-me')).handler;
});

describe('npm run admin -- create', () => {
  it('creates an admin that can log in and is an admin', async () => {
    await admin.createAdmin({ email: 'root@example.com', password: 'a long secret', name: 'Root', table: tableName });
    const token = await call(login, { method: 'POST', path: '/auth/login', body: { email: 'root@example.com', password: 'a long secret' } });
    const me = await call(getMe, { method: 'GET', path: '/users/me', headers: { Authorization: `Bearer ${token.body.accessToken}` } });
    expect(me.body).toMatchObject({ email: 'root@example.com', role: 'admin', name: 'Root' });
  });

  it('refuses a taken email and a weak password', async () => {
    await expect(admin.createAdmin({ email: 'ROOT@example.com', password: 'a long secret', name: 'X', table: tableName })).rejects.toThrow(
      'already exists',
    );
    await expect(admin.createAdmin({ email: 'new@example.com', password: 'short', name: 'X', table: tableName })).rejects.toThrow();
  });

  it("finds the users table from the stage's stack output, and says what to do when the stack is missing", async () => {
    const cloudFormation = mockClient(CloudFormationClient);
    cloudFormation.on(DescribeStacksCommand, { StackName: 'commerce-dev-users' }).resolves({
      Stacks: [{ StackName: 'commerce-dev-users', CreationTime: new Date(), StackStatus: 'CREATE_COMPLETE', Outputs: [{ OutputKey: 'UsersTableName', OutputValue: 'users-table-1' }] }],
    });
    cloudFormation.on(DescribeStacksCommand, { StackName: 'commerce-prod-users' }).rejects(new Error('Stack with id commerce-prod-users does not exist'));
    try {
      expect(await admin.usersTableOf('dev', new CloudFormationClient({}))).toBe('users-table-1');
      await expect(admin.usersTableOf('prod', new CloudFormationClient({}))).rejects.toThrow(/Deploy it first/);
    } finally {
      cloudFormation.restore();
    }
  });
});
