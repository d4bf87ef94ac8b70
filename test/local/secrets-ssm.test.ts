import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterNotFound,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadAssembly } from '../../local/cloudformation/assembly';
import type { CfnTemplate } from '../../local/cloudformation/intrinsics';
import { arnFor, localPhysicalName, type LocalEnvironment } from '../../local/cloudformation/physical-names';
import { generatePassword, generateSecretString, PUNCTUATION, SecretGenerationError } from '../../local/secrets/generate-secret-string';
import { createSecretStore, matchesSecretId } from '../../local/secrets/secret-store';
import { startSecretsManager, type RunningSecretsManager } from '../../local/secrets/secrets-manager-service';
import { startSsm, type RunningSsm } from '../../local/ssm/ssm-service';
import type { LocalAssembly, LocalResource } from '../../local/types';
import { assemblyOf as localAssembly } from '../support/local-assembly';

const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const ENVIRONMENT: LocalEnvironment = { region: REGION, accountId: ACCOUNT, partition: 'aws' };
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const STACK = 'commerce-dev-platform';
const SECRET = 'AWS::SecretsManager::Secret';

function assemblyOf(resources: readonly LocalResource[]): LocalAssembly {
  return localAssembly(resources, { region: REGION, accountId: ACCOUNT });
}

/** A secret resource as the assembly loader names it (ref and ARN from physical-names). */
function secretResource(logicalId: string, properties: Record<string, unknown>): LocalResource {
  const name = localPhysicalName(SECRET, STACK, logicalId, typeof properties.Name === 'string' ? { Name: properties.Name } : {});
  const arn = arnFor(SECRET, name, ENVIRONMENT);
  return { stackName: STACK, logicalId, type: SECRET, ref: arn, arn, properties, metadata: {} };
}

// The platform stack's signing secret, as synthesized.
const SIGNING_SECRET = { Description: 'Key material', GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 64 } };
const DATABASE_SECRET = {
  Name: 'commerce/db',
  GenerateSecretString: { SecretStringTemplate: '{"username":"admin"}', GenerateStringKey: 'password', PasswordLength: 20, ExcludeCharacters: '"@/\\' },
};
const API_KEY_SECRET = { Name: 'commerce/api-key', SecretString: 'literal-key' };

const TEMPLATE: CfnTemplate = {
  Resources: {
    SigningSecret: { Type: SECRET, Properties: SIGNING_SECRET },
    DatabaseSecret: { Type: SECRET, Properties: DATABASE_SECRET },
    ApiKeySecret: { Type: SECRET, Properties: API_KEY_SECRET },
    ComputedSecret: { Type: SECRET, Properties: { Name: 'commerce/computed', SecretString: { 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }]] } } },
  },
};

describe('generateSecretString', () => {
  it('generates PasswordLength characters (32 by default) without excluded classes', () => {
    expect(generatePassword({})).toHaveLength(32);
    for (let run = 0; run < 50; run++) {
      const password = generatePassword({ PasswordLength: 64, ExcludePunctuation: true });
      expect(password).toMatch(/^[A-Za-z0-9]{64}$/);
    }
    expect(generatePassword({ PasswordLength: '40', ExcludeUppercase: 'true', ExcludeNumbers: true })).toMatch(/^[a-z!-/:-@[-`{-~]{40}$/);
    expect(generatePassword({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true, ExcludeCharacters: '0123' })).toMatch(/^[4-9]{32}$/);
  });

  it('includes each remaining character type unless told not to', () => {
    for (let run = 0; run < 200; run++) {
      const password = generatePassword({ PasswordLength: 4 });
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[0-9]/);
      expect([...password].some((char) => PUNCTUATION.includes(char))).toBe(true);
    }
    expect(() => generatePassword({ PasswordLength: 3 })).toThrow(SecretGenerationError);
    expect(generatePassword({ PasswordLength: 3, RequireEachIncludedType: false })).toHaveLength(3);
  });

  it('adds a space only when asked', () => {
    const spaced = Array.from({ length: 20 }, () => generatePassword({ PasswordLength: 200, IncludeSpace: true })).join('');
    expect(spaced).toContain(' ');
    expect(generatePassword({ PasswordLength: 500 })).not.toContain(' ');
  });

  it('puts the password into SecretStringTemplate under GenerateStringKey', () => {
    const value = JSON.parse(generateSecretString(DATABASE_SECRET.GenerateSecretString)) as Record<string, string>;
    expect(value.username).toBe('admin');
    expect(value.password).toHaveLength(20);
    expect(value.password).not.toMatch(/["@/\\]/);
    expect(() => generateSecretString({ SecretStringTemplate: '{}' })).toThrow(/together/);
    expect(() => generateSecretString({ SecretStringTemplate: '[1]', GenerateStringKey: 'k' })).toThrow(/JSON object/);
  });

  it('rejects impossible specifications', () => {
    expect(() => generatePassword({ PasswordLength: 0 })).toThrow(/PasswordLength/);
    expect(() => generatePassword({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true })).toThrow(/every character/);
  });
});

describe('createSecretStore', () => {
  const store = createSecretStore({ environment: ENVIRONMENT, stacks: [{ stackName: STACK, template: TEMPLATE }] });
  const signing = secretResource('SigningSecret', SIGNING_SECRET);

  it('answers from the unresolved templates by ARN, name and partial ARN, generating once per run', () => {
    const value = store.secretValue(signing.ref);
    expect(value).toMatch(/^[A-Za-z0-9]{64}$/);
    const name = signing.ref.split(':secret:')[1]?.slice(0, -7) ?? '';
    expect(name).toMatch(/^SigningSecret-[A-Za-z0-9]{12}$/);
    expect(store.secretValue(name)).toBe(value);
    expect(store.secretValue(signing.ref.slice(0, -7))).toBe(value);
    expect(store.valueOf(STACK, 'SigningSecret')).toBe(value);
  });

  it('reads one key of a JSON secret', () => {
    const password = store.secretValue('commerce/db', 'password');
    expect(password).toHaveLength(20);
    expect(JSON.parse(store.secretValue('commerce/db'))).toEqual({ username: 'admin', password });
    expect(store.secretValue('commerce/api-key')).toBe('literal-key');
    expect(() => store.secretValue('commerce/db', 'nope')).toThrow(/no key nope/);
  });

  it('says why it cannot answer', () => {
    expect(() => store.secretValue('commerce/unknown')).toThrow(/no secret commerce\/unknown/);
    expect(() => store.secretValue('commerce/computed')).toThrow(/intrinsic functions/);
    expect(store.valueOf(STACK, 'ComputedSecret')).toBeUndefined();
  });

  it('matches partial ARNs only without the whole 6-character suffix', () => {
    const secret = { name: 'db', arn: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbC123' };
    expect(matchesSecretId(secret, 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db')).toBe(true);
    expect(matchesSecretId(secret, 'arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbC')).toBe(false);
    expect(matchesSecretId(secret, 'db-AbC123')).toBe(false);
  });
});

describe('startSecretsManager', () => {
  const store = createSecretStore({ environment: ENVIRONMENT, stacks: [{ stackName: STACK, template: TEMPLATE }] });
  const signing = secretResource('SigningSecret', SIGNING_SECRET);
  const assembly = assemblyOf([
    signing,
    secretResource('DatabaseSecret', DATABASE_SECRET),
    secretResource('ApiKeySecret', API_KEY_SECRET),
    // Resolved by the loader: the server takes the resolved value.
    secretResource('ComputedSecret', { Name: 'commerce/computed', SecretString: 'a-us-east-1' }),
    secretResource('EmptySecret', { Name: 'commerce/empty' }),
  ]);
  let service: RunningSecretsManager;
  let client: SecretsManagerClient;
  const logs: string[] = [];

  beforeAll(async () => {
    service = await startSecretsManager(assembly, { log: (line) => logs.push(line), store });
    client = new SecretsManagerClient({ endpoint: service.endpoint, region: REGION, credentials: CREDENTIALS });
  });

  afterAll(async () => {
    client?.destroy();
    await service?.stop();
  });

  it('serves GetSecretValue by ARN, name and partial ARN, with the value the store generated', async () => {
    const byArn = await client.send(new GetSecretValueCommand({ SecretId: signing.ref }));
    expect(byArn).toMatchObject({
      ARN: signing.ref,
      Name: expect.stringMatching(/^SigningSecret-/),
      SecretString: store.secretValue(signing.ref),
      VersionStages: ['AWSCURRENT'],
      VersionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(byArn.CreatedDate).toBeInstanceOf(Date);
    expect(byArn.SecretString).toMatch(/^[A-Za-z0-9]{64}$/);

    const byName = await client.send(new GetSecretValueCommand({ SecretId: byArn.Name }));
    const byPartialArn = await client.send(new GetSecretValueCommand({ SecretId: signing.ref.slice(0, -7) }));
    expect(byName.SecretString).toBe(byArn.SecretString);
    expect(byPartialArn.SecretString).toBe(byArn.SecretString);
    expect(service.secretValue(byArn.Name ?? '')).toBe(byArn.SecretString);

    const computed = await client.send(new GetSecretValueCommand({ SecretId: 'commerce/computed', VersionStage: 'AWSCURRENT' }));
    expect(computed.SecretString).toBe('a-us-east-1');
    expect(service.secretValue('commerce/db', 'password')).toBe(store.secretValue('commerce/db', 'password'));
  });

  it('answers ResourceNotFoundException for unknown secrets and missing values', async () => {
    const unknown = client.send(new GetSecretValueCommand({ SecretId: 'commerce/nope' }));
    await expect(unknown).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(unknown).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'commerce/empty' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining('staging label: AWSCURRENT'),
    });
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'commerce/db', VersionStage: 'AWSPREVIOUS' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('describes a secret', async () => {
    const described = await client.send(new DescribeSecretCommand({ SecretId: signing.ref }));
    expect(described).toMatchObject({ ARN: signing.ref, Description: 'Key material' });
    expect(Object.values(described.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
  });
});

describe('secrets shared with the assembly loader', () => {
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'secrets-assembly-'));
    const template: CfnTemplate = {
      Resources: {
        SigningSecret: { Type: SECRET, Properties: SIGNING_SECRET },
        // What CDK synthesizes for secret.secretValueFromJson('password') and friends.
        Reader: {
          Type: 'AWS::SSM::Parameter',
          Properties: {
            Name: '/commerce/signing-key',
            Type: 'String',
            Value: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'SigningSecret' }, ':SecretString:::}}']] },
          },
        },
      },
    };
    await writeFile(join(directory, 'platform.template.json'), JSON.stringify(template));
    await writeFile(
      join(directory, 'manifest.json'),
      JSON.stringify({ version: '48.0.0', artifacts: { [STACK]: { type: 'aws:cloudformation:stack', properties: { templateFile: 'platform.template.json' } } } }),
    );
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('resolves dynamic references and serves GetSecretValue with one generated value', async () => {
    const store = createSecretStore({ environment: ENVIRONMENT, stacks: [{ stackName: STACK, template: { Resources: { SigningSecret: { Type: SECRET, Properties: SIGNING_SECRET } } } }] });
    const assembly = loadAssembly(directory, { sqsBaseUrl: 'http://127.0.0.1:9324', secretValue: (id, key) => store.secretValue(id, key) });
    const secrets = await startSecretsManager(assembly, { log: () => {}, store });
    const ssm = await startSsm(assembly, { log: () => {} });
    const secretsClient = new SecretsManagerClient({ endpoint: secrets.endpoint, region: REGION, credentials: CREDENTIALS });
    try {
      const [secret] = assembly.ofType(SECRET);
      const served = await secretsClient.send(new GetSecretValueCommand({ SecretId: secret?.ref }));
      expect(served.SecretString).toMatch(/^[A-Za-z0-9]{64}$/);
      expect(ssm.parameter('/commerce/signing-key')).toBe(served.SecretString);
    } finally {
      secretsClient.destroy();
      await secrets.stop();
      await ssm.stop();
    }
  });
});

describe('startSsm', () => {
  const assembly = assemblyOf([
    {
      stackName: STACK,
      logicalId: 'TableNameParameter',
      type: 'AWS::SSM::Parameter',
      ref: '/commerce/dev/table-name',
      arn: 'arn:aws:ssm:us-east-1:000000000000:parameter/commerce/dev/table-name',
      properties: { Name: '/commerce/dev/table-name', Type: 'String', Value: 'commerce-dev-Table-ABC' },
      metadata: {},
    },
    {
      stackName: STACK,
      logicalId: 'RegionsParameter',
      type: 'AWS::SSM::Parameter',
      ref: '/commerce/dev/nested/regions',
      properties: { Type: 'StringList', Value: 'us-east-1,eu-west-1' },
      metadata: {},
    },
    {
      stackName: STACK,
      logicalId: 'Unnamed',
      type: 'AWS::SSM::Parameter',
      ref: 'CFN-Unnamed-AbCdEf123456',
      properties: { Type: 'String', Value: 'plain' },
      metadata: {},
    },
  ]);
  let ssm: RunningSsm;
  let client: SSMClient;

  beforeAll(async () => {
    ssm = await startSsm(assembly, { log: () => {} });
    client = new SSMClient({ endpoint: ssm.endpoint, region: REGION, credentials: CREDENTIALS });
  });

  afterAll(async () => {
    client?.destroy();
    await ssm?.stop();
  });

  it('serves GetParameter by name, ARN and version selector, plus the CDK bootstrap version', async () => {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: '/commerce/dev/table-name' }));
    expect(Parameter).toMatchObject({
      Name: '/commerce/dev/table-name',
      Type: 'String',
      Value: 'commerce-dev-Table-ABC',
      Version: 1,
      ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/commerce/dev/table-name',
      DataType: 'text',
    });
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);

    const byArn = await client.send(new GetParameterCommand({ Name: 'arn:aws:ssm:us-east-1:000000000000:parameter/CFN-Unnamed-AbCdEf123456' }));
    expect(byArn.Parameter?.Value).toBe('plain');
    const versioned = await client.send(new GetParameterCommand({ Name: '/commerce/dev/table-name:1', WithDecryption: true }));
    expect(versioned.Parameter?.Value).toBe('commerce-dev-Table-ABC');
    const bootstrap = await client.send(new GetParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version' }));
    expect(bootstrap.Parameter?.Value).toBe('30');
    expect(ssm.parameter('/commerce/dev/nested/regions')).toBe('us-east-1,eu-west-1');
  });

  it('answers ParameterNotFound for unknown parameters', async () => {
    const unknown = client.send(new GetParameterCommand({ Name: '/commerce/dev/nope' }));
    await expect(unknown).rejects.toBeInstanceOf(ParameterNotFound);
    await expect(unknown).rejects.toMatchObject({ name: 'ParameterNotFound', $metadata: { httpStatusCode: 400 } });
    await expect(client.send(new GetParameterCommand({ Name: '/commerce/dev/table-name:2' }))).rejects.toBeInstanceOf(ParameterNotFound);
  });

  it('lists unknown names of GetParameters in InvalidParameters', async () => {
    const result = await client.send(new GetParametersCommand({ Names: ['/commerce/dev/table-name', '/nope', 'CFN-Unnamed-AbCdEf123456'] }));
    expect(result.Parameters?.map((parameter) => parameter.Value)).toEqual(['commerce-dev-Table-ABC', 'plain']);
    expect(result.InvalidParameters).toEqual(['/nope']);
  });

  it('serves GetParametersByPath, recursively when asked', async () => {
    const direct = await client.send(new GetParametersByPathCommand({ Path: '/commerce/dev' }));
    expect(direct.Parameters?.map((parameter) => parameter.Name)).toEqual(['/commerce/dev/table-name']);
    const recursive = await client.send(new GetParametersByPathCommand({ Path: '/commerce/dev/', Recursive: true }));
    expect(recursive.Parameters?.map((parameter) => parameter.Name)).toEqual(['/commerce/dev/table-name', '/commerce/dev/nested/regions']);
  });
});

describe('startSsm with local addresses', () => {
  const DEPLOYED = 'https://abc123.execute-api.us-east-1.amazonaws.com/dev';
  const assembly = assemblyOf([
    {
      stackName: 'commerce-dev-api',
      logicalId: 'ApiUrlParameter',
      type: 'AWS::SSM::Parameter',
      ref: '/commerce/dev/api-url',
      properties: { Name: '/commerce/dev/api-url', Type: 'String', Value: DEPLOYED },
      metadata: {},
    },
  ]);

  it("answers a parameter holding the API's deployed URL with its local stand-in, once the gateway is known", async () => {
    const addresses: { deployed: string; local: string }[] = [];
    const ssm = await startSsm(assembly, { log: () => {}, localAddresses: () => addresses });
    const client = new SSMClient({ endpoint: ssm.endpoint, region: REGION, credentials: CREDENTIALS });
    try {
      const read = async () => (await client.send(new GetParameterCommand({ Name: '/commerce/dev/api-url' }))).Parameter?.Value;
      expect(await read()).toBe(DEPLOYED);
      addresses.push({ deployed: DEPLOYED, local: 'http://127.0.0.1:3999' });
      expect(await read()).toBe('http://127.0.0.1:3999');
    } finally {
      client.destroy();
      await ssm.stop();
    }
  });
});
