import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cdkCommand, localstackEnv } from '../../../scripts/localstack';
import { scratchDir } from '../../support/scratch-dirs';
import {
  apiUrlFrom, assertLocalstackReachable, localstackHealthUrl, readOutputsFile, s3EndpointFor,
} from '../../../scripts/localstack-outputs';

const ROOT = path.resolve(__dirname, '../../..');

// As `cdk deploy --outputs-file` writes it: { "<stackName>": { "<OutputKey>": "<value>" } }.
const outputs = {
  'commerce-dev-users': { UsersTableName: 'commerce-dev-users-UsersTable9725E9C8-1a2b3c' },
  'commerce-dev-api': {
    ApiUrl: 'https://x7k2p9q4rt.execute-api.localhost.localstack.cloud:4566/dev/',
    CommerceApiEndpoint4F5C2BB1: 'https://x7k2p9q4rt.execute-api.localhost.localstack.cloud:4566/dev/',
  },
};

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('apiUrlFrom', () => {
  it("reads the api stack's ApiUrl, without its trailing slash", () => {
    expect(apiUrlFrom(outputs, 'dev')).toBe('https://x7k2p9q4rt.execute-api.localhost.localstack.cloud:4566/dev');
  });

  it('reads it from the file cdklocal wrote', () => {
    const file = path.join(scratchDir('commerce-outputs-'), 'outputs.json');
    writeFileSync(file, JSON.stringify(outputs, null, 2));
    expect(apiUrlFrom(readOutputsFile(file), 'dev')).toBe('https://x7k2p9q4rt.execute-api.localhost.localstack.cloud:4566/dev');
  });

  it('says to deploy first when there is no outputs file', () => {
    expect(readOutputsFile(path.join(tmpdir(), 'no-such-dir-commerce', 'outputs.json'))).toBeUndefined();
    expect(() => apiUrlFrom(undefined, 'dev')).toThrow(/No outputs file \(\.localstack\/outputs\.json\): deploy first with npm run deploy:localstack/);
  });

  it('names the missing stack and the stacks it found', () => {
    expect(() => apiUrlFrom(outputs, 'prod')).toThrow(/no stack commerce-prod-api \(stacks: commerce-dev-users, commerce-dev-api\)/);
  });

  it('says when the api stack has no ApiUrl output', () => {
    expect(() => apiUrlFrom({ 'commerce-dev-api': { Other: 'x' } }, 'dev')).toThrow(/Stack commerce-dev-api has no ApiUrl output/);
    expect(() => apiUrlFrom({ 'commerce-dev-api': { ApiUrl: '' } }, 'dev')).toThrow(/has no ApiUrl output/);
  });

  it('rejects a file that is not in the outputs format', () => {
    expect(() => apiUrlFrom([], 'dev')).toThrow(/not CDK's outputs format/);
  });
});

describe('LocalStack endpoints', () => {
  it('builds the health URL from the endpoint', () => {
    expect(localstackHealthUrl('http://localhost:4566')).toBe('http://localhost:4566/_localstack/health');
    expect(localstackHealthUrl('http://localstack:4566/')).toBe('http://localstack:4566/_localstack/health');
  });

  it('gives cdklocal the S3 endpoint it requires next to AWS_ENDPOINT_URL', () => {
    expect(s3EndpointFor('http://localhost:4566')).toBe('http://s3.localhost.localstack.cloud:4566');
    expect(s3EndpointFor('https://abc.sandbox.localstack.cloud')).toBe('https://s3.abc.sandbox.localstack.cloud');
  });
});

describe('localstackEnv', () => {
  const env = localstackEnv({
    PATH: '/usr/bin:/bin',
    AWS_PROFILE: 'production',
    AWS_DEFAULT_PROFILE: 'production',
    AWS_SESSION_TOKEN: 'a-real-session',
    AWS_REGION: 'eu-west-1',
    HOME: '/home/dev',
  });

  it('points every AWS client, the CDK CLI included, at LocalStack with test credentials', () => {
    expect(env).toMatchObject({
      AWS_ENDPOINT_URL: 'http://localhost:4566',
      AWS_ENDPOINT_URL_S3: 'http://s3.localhost.localstack.cloud:4566',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      HOME: '/home/dev',
    });
    expect(localstackEnv({ AWS_ENDPOINT_URL: 'http://localstack:4566' })).toMatchObject({
      AWS_ENDPOINT_URL: 'http://localstack:4566',
      AWS_ENDPOINT_URL_S3: 'http://s3.localstack:4566',
      AWS_REGION: 'us-east-1',
    });
  });

  it('drops the profile and session token that could lead the CDK to real AWS', () => {
    expect(env).not.toHaveProperty('AWS_PROFILE');
    expect(env).not.toHaveProperty('AWS_DEFAULT_PROFILE');
    expect(env).not.toHaveProperty('AWS_SESSION_TOKEN');
  });

  it('puts this Node first on PATH, so what starts `node` by name (the CDK app, cdklocal) runs on it', () => {
    expect(env.PATH).toBe([path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter));
  });
});

describe('cdkCommand', () => {
  it("runs the project's own CDK CLI on this Node by default", () => {
    const cdk = cdkCommand({});
    expect(cdk).toEqual({ command: process.execPath, args: [path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk')], display: 'cdk' });
    expect(cdkCommand({ LOCALSTACK_CDK: '' })).toEqual(cdk);
    expect(cdkCommand({ LOCALSTACK_CDK: 'cdk' })).toEqual(cdk);
    const version = spawnSync(cdk.command, [...cdk.args, '--version'], { encoding: 'utf8', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } });
    const pinned = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies['aws-cdk'];
    expect(version.stdout).toContain(pinned);
  }, 30_000);

  it('runs LocalStack\'s cdklocal (or any command) from PATH when LOCALSTACK_CDK names it', () => {
    expect(cdkCommand({ LOCALSTACK_CDK: 'cdklocal' })).toEqual({ command: 'cdklocal', args: [], display: 'cdklocal' });
  });
});

describe('assertLocalstackReachable', () => {
  it('explains how to start LocalStack, auth token included, when nothing listens', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const failure = assertLocalstackReachable(endpoint, 3_000);
    await expect(failure).rejects.toThrow(`LocalStack is not reachable at ${endpoint} (GET ${endpoint}/_localstack/health: ECONNREFUSED)`);
    // A dated image (LocalStack's YYYY.MM.patch tags), never `latest`; or LocalStack's own CLI.
    await expect(failure).rejects.toThrow(/docker run .* localstack\/localstack:\d{4}\.\d{2}\.\d+\n\(or `lstk start`\)/);
    await expect(failure).rejects.toThrow(/Since March 2026 LocalStack needs LOCALSTACK_AUTH_TOKEN, even on the free\nnon-commercial plan/);
  });
});
