import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { allResources, buildRestApiModel, executeApiUrl } from '../../local/apigateway/rest-api-model';
import { assetDirectory, loadAssembly } from '../../local/cloudformation/assembly';
import { containsIntrinsic, IntrinsicError } from '../../local/cloudformation/intrinsics';
import { synthesize } from '../../local/synth';
import type { LocalAssembly, LocalResource } from '../../local/types';
import { routes } from '../../functions/contracts/routes';
import { ENV } from '../../functions/shared/environment';
import { runtimeContext } from '../e2e/support/global-runtime';

const SQS_BASE_URL = 'http://127.0.0.1:9324';
const secretValue = (arn: string, key?: string) => `secret(${arn},${key ?? ''})`;

type Variables = Record<string, unknown>;
const variablesOf = (fn: LocalResource): Variables =>
  ((fn.properties.Environment as { Variables?: Variables } | undefined)?.Variables ?? {});

const tmpDirs: string[] = [];
function tmpDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

describe('loadAssembly on the synthesized commerce app', () => {
  let outdir: string;
  let assembly: LocalAssembly;
  const context = process.env.CDK_CONTEXT_JSON;

  beforeAll(async () => {
    outdir = tmpDir('commerce-assembly-');
    // The app as the offline runtime synthesizes it, with the e2e runtime's context: a test run
    // synthesizes (and bundles) it once, and this copies it from the assembly cache.
    process.env.CDK_CONTEXT_JSON = runtimeContext();
    await synthesize(outdir);
    // A relative path, to check that the assembly reports its directory absolutely.
    assembly = loadAssembly(path.relative(process.cwd(), outdir), { sqsBaseUrl: SQS_BASE_URL, secretValue });
  });
  afterAll(() => {
    if (context === undefined) delete process.env.CDK_CONTEXT_JSON;
    else process.env.CDK_CONTEXT_JSON = context;
  });

  it('reports the environment and the absolute cloud assembly directory', () => {
    expect(assembly.directory).toBe(path.resolve(outdir));
    expect(path.isAbsolute(assembly.directory)).toBe(true);
    expect(assembly.region).toBe('us-east-1');
    expect(assembly.accountId).toBe('000000000000');
  });

  it('resolves the stacks in dependency order', () => {
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; dependencies?: string[] }>;
    };
    const stackIds = Object.entries(manifest.artifacts)
      .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
      .map(([id]) => id);
    const order = [...new Set(assembly.resources.map((resource) => resource.stackName))];
    expect(order).toEqual(Object.keys(assembly.outputs));
    expect(new Set(order)).toEqual(new Set(stackIds));
    expect(order[0]).toBe('commerce-dev-platform');
    expect(order.at(-1)).toBe('commerce-dev-api');
    for (const stack of stackIds) {
      for (const dependency of manifest.artifacts[stack]?.dependencies ?? []) {
        if (stackIds.includes(dependency)) expect(order.indexOf(dependency), `${dependency} before ${stack}`).toBeLessThan(order.indexOf(stack));
      }
    }
    // Stacks never interleave: each one's resources are contiguous.
    const runs = assembly.resources.map((resource) => resource.stackName).filter((name, index, all) => name !== all[index - 1]);
    expect(runs).toEqual(order);
  });

  it('leaves no intrinsic in any resource or output', () => {
    expect(assembly.resources.length).toBeGreaterThan(50);
    for (const resource of assembly.resources) {
      expect(containsIntrinsic(resource.properties), `${resource.stackName}/${resource.logicalId}`).toBe(false);
      expect(typeof resource.ref).toBe('string');
      expect(resource.ref).not.toBe('');
    }
    for (const [stackName, outputs] of Object.entries(assembly.outputs)) {
      for (const [key, value] of Object.entries(outputs)) {
        expect(typeof value, `${stackName}.${key}`).toBe('string');
        expect(containsIntrinsic(value), `${stackName}.${key}`).toBe(false);
      }
    }
    expect(assembly.ofType('AWS::CDK::Metadata')).toEqual([]);
  });

  it('points every TABLE_NAME at the table of the same stack', () => {
    const functions = assembly.ofType('AWS::Lambda::Function');
    const withTable = functions.filter((fn) => variablesOf(fn).TABLE_NAME !== undefined);
    expect(withTable.length).toBeGreaterThanOrEqual(8);
    for (const fn of withTable) {
      const table = assembly.find(String(variablesOf(fn).TABLE_NAME));
      expect(table?.type, fn.logicalId).toBe('AWS::DynamoDB::Table');
      expect(table?.stackName, fn.logicalId).toBe(fn.stackName);
    }
  });

  it('integrates every proxy method with a function of the app', () => {
    const methods = assembly
      .ofType('AWS::ApiGateway::Method')
      .filter((method) => (method.properties.Integration as { Type?: string } | undefined)?.Type === 'AWS_PROXY');
    expect(methods.length).toBeGreaterThanOrEqual(10);
    for (const method of methods) {
      const uri = (method.properties.Integration as { Uri: string }).Uri;
      const functionArn = /^arn:aws:apigateway:us-east-1:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.exec(uri)?.[1];
      expect(functionArn, uri).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:[\w-]+$/);
      const fn = assembly.find(functionArn ?? '');
      expect(fn?.type, uri).toBe('AWS::Lambda::Function');
      expect(fn?.arn).toBe(functionArn);
    }
  });

  it('resolves the API URL output to the local REST API id and stage', () => {
    const apiUrl = assembly.outputs['commerce-dev-api']?.ApiUrl;
    const [restApi] = assembly.ofType('AWS::ApiGateway::RestApi');
    const [stage] = assembly.ofType('AWS::ApiGateway::Stage');
    expect(restApi?.ref).toMatch(/^[a-z0-9]{10}$/);
    expect(apiUrl).toBe(`https://${restApi?.ref}.execute-api.us-east-1.amazonaws.com/${stage?.ref}/`);
  });

  it("gives the functions that call the API the execute-api URL the local gateway stands in for, the API's resource being the platform's", () => {
    const [restApi] = assembly.ofType('AWS::ApiGateway::RestApi');
    expect(restApi?.stackName).toBe('commerce-dev-platform');
    // The routes, deployment and stage (in the API stack) are found on it, every contract route among them.
    const model = buildRestApiModel(assembly);
    const operations = allResources(model.root).flatMap((resource) => [...resource.methods.values()].map((method) => method.operationName));
    expect(operations.filter(Boolean).sort()).toEqual(Object.keys(routes).sort());
    expect(model.stage.name).toBe('dev');
    const callers = assembly.ofType('AWS::Lambda::Function').filter((fn) => variablesOf(fn)[ENV.apiUrl] !== undefined);
    expect(callers.map((fn) => fn.properties.Description).sort()).toEqual(
      (['getCart', 'putCartItem', 'deleteCartItem', 'checkout', 'dashboard'] as const).map((id) => `${routes[id].method} ${routes[id].path}`).sort(),
    );
    for (const fn of callers) expect(variablesOf(fn)[ENV.apiUrl], fn.logicalId).toBe(executeApiUrl(model, assembly.region));
  });

  it('gives functions the signing secret ARN of the platform stack', () => {
    const [secret] = assembly.ofType('AWS::SecretsManager::Secret');
    expect(secret?.stackName).toBe('commerce-dev-platform');
    expect(secret?.ref).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:[\w-]+-[A-Za-z0-9]{6}$/);
    const users = assembly.ofType('AWS::Lambda::Function').filter((fn) => variablesOf(fn).SIGNING_SECRET_ARN !== undefined);
    expect(users.length).toBeGreaterThan(0);
    for (const fn of users) expect(variablesOf(fn).SIGNING_SECRET_ARN, fn.logicalId).toBe(secret?.ref);
  });

  it('finds each function bundle', () => {
    for (const fn of assembly.ofType('AWS::Lambda::Function')) {
      const directory = assetDirectory(assembly, fn);
      expect(path.dirname(directory)).toBe(assembly.directory);
      expect(existsSync(path.join(directory, 'index.js')), `${fn.logicalId}: ${directory}`).toBe(true);
    }
  });

  it('names queues with URLs of the SQS emulator', () => {
    const queues = assembly.ofType('AWS::SQS::Queue');
    expect(queues.length).toBeGreaterThan(0);
    for (const queue of queues) {
      const name = queue.arn?.split(':').at(-1);
      expect(queue.ref).toBe(`${SQS_BASE_URL}/000000000000/${name}`);
      expect(assembly.find(queue.ref)).toBe(queue);
    }
  });

  it('finds functions by name, ARN and qualified forms', () => {
    const [fn] = assembly.ofType('AWS::Lambda::Function');
    if (!fn?.arn) throw new Error('no function');
    expect(assembly.find(fn.ref)).toBe(fn);
    expect(assembly.find(fn.arn)).toBe(fn);
    expect(assembly.find(`${fn.arn}:$LATEST`)).toBe(fn);
    expect(assembly.find(`${fn.arn}:live`)).toBe(fn);
    expect(assembly.find(`${fn.ref}:$LATEST`)).toBe(fn);
    expect(assembly.find(`000000000000:function:${fn.ref}`)).toBe(fn);
    expect(assembly.find(`${fn.arn}-nope`)).toBeUndefined();
    expect(assembly.find('nope')).toBeUndefined();
    // Only functions accept a qualifier.
    const [table] = assembly.ofType('AWS::DynamoDB::Table');
    expect(assembly.find(`${table?.ref}:x`)).toBeUndefined();
  });
});

// ------------------------------------------------------- hand-written fixture

function writeAssembly(stacks: Record<string, { template: unknown; dependencies?: string[] }>, extraArtifacts: Record<string, unknown> = {}): string {
  const dir = tmpDir('assembly-fixture-');
  const artifacts: Record<string, unknown> = { ...extraArtifacts };
  for (const [id, stack] of Object.entries(stacks)) {
    writeFileSync(path.join(dir, `${id}.template.json`), JSON.stringify(stack.template));
    artifacts[id] = {
      type: 'aws:cloudformation:stack',
      environment: 'aws://unknown-account/unknown-region',
      properties: { templateFile: `${id}.template.json` },
      ...(stack.dependencies ? { dependencies: stack.dependencies } : {}),
    };
  }
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '48.0.0', artifacts }));
  return dir;
}

const bootstrapParameter = {
  BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/cdk-bootstrap/hnb659fds/version' },
};

describe('loadAssembly on a hand-written assembly', () => {
  // `consumer` comes first in the manifest but depends on `producer`.
  const consumer = {
    dependencies: ['producer', 'consumer.assets'],
    template: {
      Parameters: bootstrapParameter,
      Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { S3Bucket: 'b', S3Key: `${'a'.repeat(64)}.zip` },
            Environment: {
              Variables: {
                TABLE_NAME: { 'Fn::ImportValue': 'producer:TableName' },
                API_URL: '{{resolve:ssm:/app/api-url}}',
                KEY: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { 'Fn::ImportValue': 'producer:SecretArn' }, ':SecretString:key}}']] },
                BOOTSTRAP: { Ref: 'BootstrapVersion' },
              },
            },
          },
          Metadata: { 'aws:asset:path': 'asset.fn', 'aws:asset:property': 'Code' },
        },
        Disabled: { Type: 'AWS::SQS::Queue', Condition: 'Never' },
        CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: 'v2:deflate64:x' } },
      },
      Outputs: { FnArn: { Value: { 'Fn::GetAtt': ['Fn', 'Arn'] } } },
    },
  };
  const producer = {
    template: {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: { 'Fn::Sub': '${AWS::StackName}-orders' } } },
        Secret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
        ApiUrl: {
          Type: 'AWS::SSM::Parameter',
          Properties: { Name: '/app/api-url', Type: 'String', Value: { 'Fn::Sub': 'https://${AWS::Region}.example' } },
        },
      },
      Outputs: {
        TableName: { Value: { Ref: 'Table' }, Export: { Name: 'producer:TableName' } },
        SecretArn: { Value: { Ref: 'Secret' }, Export: { Name: 'producer:SecretArn' } },
      },
    },
  };

  it('orders stacks by dependency, imports exports, answers SSM and secrets, skips disabled resources', () => {
    const dir = writeAssembly({ consumer, producer }, { 'consumer.assets': { type: 'cdk:asset-manifest', properties: { file: 'x' } } });
    mkdirSync(path.join(dir, 'asset.fn'));
    const assembly = loadAssembly(dir, { region: 'eu-west-1', accountId: '123456789012', sqsBaseUrl: 'http://localhost:1/', secretValue });

    expect(Object.keys(assembly.outputs)).toEqual(['producer', 'consumer']);
    expect(assembly.resources.map((r) => `${r.stackName}/${r.logicalId}`)).toEqual([
      'producer/Table',
      'producer/Secret',
      'producer/ApiUrl',
      'consumer/Fn',
    ]);
    const [secret] = assembly.ofType('AWS::SecretsManager::Secret');
    const [fn] = assembly.ofType('AWS::Lambda::Function');
    if (!fn || !secret) throw new Error('missing resources');
    expect(variablesOf(fn)).toEqual({
      TABLE_NAME: 'producer-orders',
      API_URL: 'https://eu-west-1.example',
      KEY: `secret(${secret.ref},key)`,
      BOOTSTRAP: '30',
    });
    expect(fn.metadata).toEqual({ 'aws:asset:path': 'asset.fn', 'aws:asset:property': 'Code' });
    expect(assetDirectory(assembly, fn)).toBe(path.join(dir, 'asset.fn'));
    expect(assembly.outputs.consumer?.FnArn).toBe(fn.arn);
    expect(fn.arn).toMatch(/^arn:aws:lambda:eu-west-1:123456789012:function:consumer-Fn-[A-Z0-9]{12}$/);
    expect(assembly.find('producer-orders')?.arn).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/producer-orders');
    expect(assembly.ofType('AWS::SSM::Parameter')[0]?.ref).toBe('/app/api-url');
  });

  it('falls back to the asset directory named by Code.S3Key, and says when there is none', () => {
    const dir = writeAssembly({ consumer, producer });
    const assembly = loadAssembly(dir, { sqsBaseUrl: SQS_BASE_URL, secretValue });
    const [fn] = assembly.ofType('AWS::Lambda::Function');
    if (!fn) throw new Error('no function');
    const withoutMetadata = { ...fn, metadata: {} };
    expect(() => assetDirectory(assembly, withoutMetadata)).toThrow(/consumer\/Fn .*not found: no directory .*asset\.a{64}/);
    mkdirSync(path.join(dir, `asset.${'a'.repeat(64)}`));
    expect(assetDirectory(assembly, withoutMetadata)).toBe(path.join(dir, `asset.${'a'.repeat(64)}`));
    const [table] = assembly.ofType('AWS::DynamoDB::Table');
    expect(() => assetDirectory(assembly, table as LocalResource)).toThrow(/producer\/Table \(AWS::DynamoDB::Table\) has no asset/);
  });

  it('names the stack and logical id of what cannot be resolved', () => {
    const broken = writeAssembly({
      only: { template: { Resources: { Fn: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { X: '{{resolve:ssm:/missing}}' } } } } } } },
    });
    let error: unknown;
    try {
      loadAssembly(broken, { sqsBaseUrl: SQS_BASE_URL, secretValue });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(IntrinsicError);
    expect((error as IntrinsicError).stackName).toBe('only');
    expect((error as IntrinsicError).logicalId).toBe('Fn');
    expect((error as Error).message).toMatch(/no SSM parameter \/missing/);

    const orphanImport = writeAssembly({ only: { template: { Resources: {}, Outputs: { X: { Value: { 'Fn::ImportValue': 'elsewhere:X' } } } } } });
    expect(() => loadAssembly(orphanImport, { sqsBaseUrl: SQS_BASE_URL, secretValue })).toThrow(/no stack deployed before only exports elsewhere:X.*stack only, output X/);
  });

  it('rejects circular dependencies and missing manifests', () => {
    const circular = writeAssembly({ a: { template: {}, dependencies: ['b'] }, b: { template: {}, dependencies: ['a'] } });
    expect(() => loadAssembly(circular, { sqsBaseUrl: SQS_BASE_URL, secretValue })).toThrow(/circular stack dependencies: a -> b -> a/);
    expect(() => loadAssembly(tmpDir('empty-'), { sqsBaseUrl: SQS_BASE_URL, secretValue })).toThrow(/no manifest\.json in .*synthesize the app first/);
  });
});
