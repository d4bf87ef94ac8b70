import { App, type CfnElement, CfnOutput, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { describe, expect, it } from 'vitest';

import {
  containsIntrinsic,
  evaluateCondition,
  IntrinsicError,
  isResourceEnabled,
  resolveExports,
  resolveOutputs,
  resolveResourceProperties,
  resolveValue,
  type CfnTemplate,
  type ResolveContext,
} from '../../local/cloudformation/intrinsics';
import {
  arnFor,
  attributeFor,
  createLocalResolveContext,
  localPhysicalName,
  namingProperties,
  queueUrl,
  refFor,
  type LocalEnvironment,
  type LocalStackContext,
} from '../../local/cloudformation/physical-names';

// ---------------------------------------------------------------- fixtures

const STACK = 'Commerce-dev-Orders';

const RESOURCES = {
  OrdersTable: { Type: 'AWS::DynamoDB::Table' },
  OrdersFn: { Type: 'AWS::Lambda::Function' },
  OrdersQueue: { Type: 'AWS::SQS::Queue' },
  Db: { Type: 'AWS::RDS::DBInstance' },
} as const;

const SSM_VALUES: Record<string, string> = {
  '/commerce/dev/api-url': 'http://127.0.0.1:3000',
  '/cdk-bootstrap/hnb659fds/version': '27',
  '/commerce/dev/origins': 'http://a.test, http://b.test',
};

const SECRETS: Record<string, string> = {
  'commerce/dev/jwt': JSON.stringify({ signingKey: 's3cr3t', issuer: 'commerce' }),
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:commerce/dev/db-AbC123': JSON.stringify({ password: 'p@ss:word' }),
};

function secretValue(id: string, jsonKey?: string): string {
  const secret = SECRETS[id];
  if (secret === undefined) throw new Error(`no secret ${id}`);
  if (jsonKey === undefined) return secret;
  const value: unknown = (JSON.parse(secret) as Record<string, unknown>)[jsonKey];
  if (typeof value !== 'string') throw new Error(`secret ${id} has no key ${jsonKey}`);
  return value;
}

/** A hand-rolled context: resources are `phys-<id>`, attributes `<id>#<attr>`. */
function fakeContext(template: CfnTemplate, overrides: Partial<ResolveContext> = {}): ResolveContext {
  return {
    stackName: STACK,
    region: 'eu-west-1',
    accountId: '123456789012',
    partition: 'aws',
    template: { Resources: RESOURCES, ...template },
    physicalId: (id) => `phys-${id}`,
    attribute: (id, attribute) => (attribute === 'Zones' ? ['z1', 'z2'] : `${id}#${attribute}`),
    importValue: (name) => {
      if (name === 'Commerce-dev-Users:UsersTableArn') return 'arn:aws:dynamodb:eu-west-1:123456789012:table/users';
      throw new Error(`no export named ${name}`);
    },
    ssmParameter: (name) => {
      const value = SSM_VALUES[name];
      if (value === undefined) throw new Error(`no SSM parameter ${name}`);
      return value;
    },
    secretValue,
    ...overrides,
  };
}

const ctx = fakeContext({});
const resolve = (value: unknown, context: ResolveContext = ctx) => resolveValue(value, context);

function errorOf(fn: () => unknown): IntrinsicError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(IntrinsicError);
    return error as IntrinsicError;
  }
  throw new Error('expected an IntrinsicError');
}

// ------------------------------------------------------------------- Ref

describe('Ref', () => {
  it('resolves resources to their physical id', () => {
    expect(resolve({ Ref: 'OrdersTable' })).toBe('phys-OrdersTable');
  });

  it('resolves pseudo parameters', () => {
    expect(resolve({ Ref: 'AWS::Region' })).toBe('eu-west-1');
    expect(resolve({ Ref: 'AWS::AccountId' })).toBe('123456789012');
    expect(resolve({ Ref: 'AWS::Partition' })).toBe('aws');
    expect(resolve({ Ref: 'AWS::StackName' })).toBe(STACK);
    expect(resolve({ Ref: 'AWS::URLSuffix' })).toBe('amazonaws.com');
    expect(resolve({ Ref: 'AWS::NotificationARNs' })).toEqual([]);
    expect(resolve({ Ref: 'AWS::StackId' })).toMatch(
      /^arn:aws:cloudformation:eu-west-1:123456789012:stack\/Commerce-dev-Orders\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(resolve({ Ref: 'AWS::StackId' })).toBe(resolve({ Ref: 'AWS::StackId' }));
  });

  it('derives AWS::URLSuffix from the partition unless the context sets it', () => {
    expect(resolve({ Ref: 'AWS::URLSuffix' }, fakeContext({}, { partition: 'aws-cn' }))).toBe('amazonaws.com.cn');
    expect(resolve({ Ref: 'AWS::URLSuffix' }, fakeContext({}, { urlSuffix: 'localhost' }))).toBe('localhost');
  });

  it('resolves parameters: context value, else Default; lists split; numbers as strings', () => {
    const template: CfnTemplate = {
      Parameters: {
        Stage: { Type: 'String', Default: 'dev' },
        Memory: { Type: 'Number', Default: 256 },
        Origins: { Type: 'CommaDelimitedList', Default: 'a, b,c' },
        Subnets: { Type: 'List<AWS::EC2::Subnet::Id>' },
      },
    };
    const context = fakeContext(template, { parameters: { Subnets: 'subnet-1,subnet-2' } });
    expect(resolve({ Ref: 'Stage' }, context)).toBe('dev');
    expect(resolve({ Ref: 'Stage' }, fakeContext(template, { parameters: { Stage: 'prod' } }))).toBe('prod');
    expect(resolve({ Ref: 'Memory' }, context)).toBe('256');
    expect(resolve({ Ref: 'Origins' }, context)).toEqual(['a', 'b', 'c']);
    expect(resolve({ Ref: 'Subnets' }, context)).toEqual(['subnet-1', 'subnet-2']);
  });

  it('throws for a parameter without value or Default', () => {
    const context = fakeContext({ Parameters: { Secret: { Type: 'String' } } });
    expect(() => resolve({ Ref: 'Secret' }, context)).toThrow(/Parameter Secret has no value/);
  });

  it('throws an error naming the stack, the logical id and the path for unknown names', () => {
    const template: CfnTemplate = {
      Resources: {
        ...RESOURCES,
        OrdersFn: {
          Type: 'AWS::Lambda::Function',
          Properties: { Environment: { Variables: { TABLE_NAME: { Ref: 'Missing' } } } },
        },
      },
    };
    const context = fakeContext(template);
    const error = errorOf(() => resolveResourceProperties('OrdersFn', context));
    expect(error.stackName).toBe(STACK);
    expect(error.logicalId).toBe('OrdersFn');
    expect(error.templatePath).toBe('Resources.OrdersFn.Properties.Environment.Variables.TABLE_NAME.Ref');
    expect(error.message).toContain('Unresolvable Ref "Missing"');
    expect(error.message).toContain('stack Commerce-dev-Orders');
    expect(error.message).toContain('resource OrdersFn');
    expect(error.message).toContain('Resources.OrdersFn.Properties.Environment.Variables.TABLE_NAME');
  });

  it('formats array indices in error paths', () => {
    const error = errorOf(() =>
      resolveValue({ Layers: ['x', { 'Fn::Join': ['', ['a', { Ref: 'Nope' }]] }] }, ctx, ['Resources', 'OrdersFn', 'Properties']),
    );
    expect(error.templatePath).toBe('Resources.OrdersFn.Properties.Layers[1].Fn::Join[1][1].Ref');
  });
});

// ------------------------------------------------------------ AWS::NoValue

describe('AWS::NoValue', () => {
  const template: CfnTemplate = {
    Parameters: { Stage: { Type: 'String', Default: 'dev' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  };
  const context = fakeContext(template);

  it('removes the key of an object', () => {
    expect(resolve({ A: 'a', B: { Ref: 'AWS::NoValue' } })).toEqual({ A: 'a' });
  });

  it('removes the element of a list', () => {
    expect(resolve(['a', { Ref: 'AWS::NoValue' }, 'b'])).toEqual(['a', 'b']);
  });

  it('removes keys and elements chosen by Fn::If', () => {
    const value = {
      ProvisionedThroughput: { 'Fn::If': ['IsProd', { ReadCapacityUnits: 5 }, { Ref: 'AWS::NoValue' }] },
      BillingMode: 'PAY_PER_REQUEST',
      Tags: [{ 'Fn::If': ['IsProd', { Key: 'tier', Value: 'prod' }, { Ref: 'AWS::NoValue' }] }],
      Name: { 'Fn::Join': ['-', ['orders', { 'Fn::If': ['IsProd', 'prod', { Ref: 'AWS::NoValue' }] }]] },
    };
    expect(resolve(value, context)).toEqual({ BillingMode: 'PAY_PER_REQUEST', Tags: [], Name: 'orders' });
  });

  it('resolves to undefined at the top level', () => {
    expect(resolve({ Ref: 'AWS::NoValue' })).toBeUndefined();
  });

  it('cannot be substituted into a string', () => {
    expect(() => resolve({ 'Fn::Sub': 'x-${AWS::NoValue}' })).toThrow(/AWS::NoValue, not a string/);
  });
});

// ------------------------------------------------------------ Fn::GetAtt

describe('Fn::GetAtt', () => {
  it('supports the list form', () => {
    expect(resolve({ 'Fn::GetAtt': ['OrdersTable', 'Arn'] })).toBe('OrdersTable#Arn');
  });

  it('supports the "Logical.Attr" form, splitting at the first dot', () => {
    expect(resolve({ 'Fn::GetAtt': 'OrdersTable.StreamArn' })).toBe('OrdersTable#StreamArn');
    expect(resolve({ 'Fn::GetAtt': 'Db.Endpoint.Address' })).toBe('Db#Endpoint.Address');
  });

  it('accepts an attribute name computed by an intrinsic', () => {
    const context = fakeContext({ Parameters: { Attr: { Type: 'String', Default: 'QueueUrl' } } });
    expect(resolve({ 'Fn::GetAtt': ['OrdersQueue', { Ref: 'Attr' }] }, context)).toBe('OrdersQueue#QueueUrl');
  });

  it('passes list attributes through', () => {
    expect(resolve({ 'Fn::Select': [1, { 'Fn::GetAtt': ['Db', 'Zones'] }] })).toBe('z2');
  });

  it('throws for unknown resources and malformed arguments', () => {
    expect(() => resolve({ 'Fn::GetAtt': ['Nope', 'Arn'] })).toThrow(/no resource Nope/);
    expect(() => resolve({ 'Fn::GetAtt': 'NoDot' })).toThrow(/LogicalId\.Attribute/);
    expect(() => resolve({ 'Fn::GetAtt': ['OrdersTable'] })).toThrow(/expects a list of 2 arguments/);
  });

  it('wraps attribute callback failures with the path', () => {
    const context = fakeContext({}, {
      attribute: () => {
        throw new Error('attribute Foo of AWS::DynamoDB::Table is not supported locally');
      },
    });
    const error = errorOf(() => resolveValue({ X: { 'Fn::GetAtt': ['OrdersTable', 'Foo'] } }, context, ['Outputs', 'Out', 'Value']));
    expect(error.message).toContain('Fn::GetAtt OrdersTable.Foo failed: attribute Foo');
    expect(error.templatePath).toBe('Outputs.Out.Value.X.Fn::GetAtt');
    expect(error.logicalId).toBe('Out');
    expect(error.cause).toBeInstanceOf(Error);
  });
});

// ---------------------------------------------------------------- Fn::Sub

describe('Fn::Sub', () => {
  it('substitutes pseudo parameters, resources, attributes and parameters', () => {
    const context = fakeContext({ Parameters: { Stage: { Type: 'String', Default: 'dev' } } });
    expect(
      resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' }, context),
    ).toBe('arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1');
    expect(resolve({ 'Fn::Sub': '${OrdersTable}|${OrdersTable.Arn}|${Stage}|${ Stage }' }, context)).toBe(
      'phys-OrdersTable|OrdersTable#Arn|dev|dev',
    );
  });

  it('keeps ${!Literal} as ${Literal}', () => {
    expect(resolve({ 'Fn::Sub': '${!Literal}-${AWS::Region}-${!Other.Attr}' })).toBe('${Literal}-eu-west-1-${Other.Attr}');
  });

  it('supports the [string, variables] form with intrinsic variables that shadow names', () => {
    const value = {
      'Fn::Sub': [
        'https://${ApiId}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${OrdersTable}',
        { ApiId: { Ref: 'OrdersFn' }, OrdersTable: { 'Fn::Select': [0, ['shadowed']] } },
      ],
    };
    expect(resolve(value)).toBe('https://phys-OrdersFn.execute-api.eu-west-1.amazonaws.com/shadowed');
  });

  it('throws with the path for unknown variables', () => {
    const error = errorOf(() => resolveValue({ Name: { 'Fn::Sub': '${Nope}-x' } }, ctx, ['Resources', 'OrdersQueue', 'Properties']));
    expect(error.templatePath).toBe('Resources.OrdersQueue.Properties.Name.Fn::Sub');
    expect(error.message).toContain('Unresolvable Ref "Nope"');
  });

  it('rejects list values', () => {
    expect(() => resolve({ 'Fn::Sub': '${Db.Zones}' })).toThrow(/not a string/);
  });
});

// ------------------------------------------------- Join / Select / Split

describe('Fn::Join, Fn::Select, Fn::Split', () => {
  it('joins Fn::GetAtt and Ref AWS::Partition the way CDK emits ARNs', () => {
    const value = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']],
    };
    expect(resolve(value)).toBe('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole');
    const indexArn = { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['OrdersTable', 'Arn'] }, '/index/*']] };
    expect(resolve(indexArn)).toBe('OrdersTable#Arn/index/*');
  });

  it('joins numbers and lists produced by intrinsics', () => {
    expect(resolve({ 'Fn::Join': [',', ['a', 1, true]] })).toBe('a,1,true');
    expect(resolve({ 'Fn::Join': ['|', { 'Fn::Split': [',', 'x,y,z'] }] })).toBe('x|y|z');
    expect(resolve({ 'Fn::Join': ['', []] })).toBe('');
  });

  it('selects from a split ARN (CDK: table name from an imported ARN)', () => {
    const arn = 'arn:aws:dynamodb:eu-west-1:123456789012:table/users';
    const name = {
      'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', { 'Fn::ImportValue': 'Commerce-dev-Users:UsersTableArn' }] }] }] }],
    };
    expect(resolve(name)).toBe('users');
    expect(resolve({ 'Fn::Split': [':', arn] })).toEqual(['arn', 'aws', 'dynamodb', 'eu-west-1', '123456789012', 'table/users']);
    expect(resolve({ 'Fn::Select': ['0', ['a', 'b']] })).toBe('a');
  });

  it('throws for bad arguments', () => {
    expect(() => resolve({ 'Fn::Select': [2, ['a', 'b']] })).toThrow(/index 2 is out of range for a list of 2/);
    expect(() => resolve({ 'Fn::Select': ['x', ['a']] })).toThrow(/non-negative integer/);
    expect(() => resolve({ 'Fn::Join': ['', 'not-a-list'] })).toThrow(/Fn::Join expects a list/);
    expect(() => resolve({ 'Fn::Join': ['', [['nested']]] })).toThrow(/can only join strings/);
    expect(() => resolve({ 'Fn::Split': ['', 'abc'] })).toThrow(/delimiter/);
  });
});

// -------------------------------------------------------- Fn::ImportValue

describe('Fn::ImportValue', () => {
  it('imports an export by name', () => {
    expect(resolve({ 'Fn::ImportValue': 'Commerce-dev-Users:UsersTableArn' })).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/users');
  });

  it('computes the export name with intrinsics', () => {
    const context = fakeContext({ Parameters: { Upstream: { Type: 'String', Default: 'Commerce-dev-Users' } } });
    expect(resolve({ 'Fn::ImportValue': { 'Fn::Sub': '${Upstream}:UsersTableArn' } }, context)).toMatch(/table\/users$/);
    expect(resolve({ 'Fn::ImportValue': { 'Fn::Join': [':', [{ Ref: 'Upstream' }, 'UsersTableArn']] } }, context)).toMatch(/table\/users$/);
  });

  it('names the missing export and the path', () => {
    const error = errorOf(() => resolveValue({ T: { 'Fn::ImportValue': 'Nope' } }, ctx, ['Resources', 'OrdersFn', 'Properties']));
    expect(error.message).toContain('Fn::ImportValue of export "Nope" failed: no export named Nope');
    expect(error.templatePath).toBe('Resources.OrdersFn.Properties.T.Fn::ImportValue');
  });
});

// ------------------------------------------------------------ conditions

describe('Fn::If and conditions', () => {
  const template: CfnTemplate = {
    Parameters: { Stage: { Type: 'String', Default: 'dev' }, Replicas: { Type: 'Number', Default: 2 } },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      IsNotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      IsDevInEurope: {
        'Fn::And': [
          { 'Fn::Equals': ['dev', { Ref: 'Stage' }] },
          { 'Fn::Or': [{ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] }, { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-central-1'] }] },
        ],
      },
      HasTwoReplicas: { 'Fn::Equals': [{ Ref: 'Replicas' }, 2] },
      SecondZoneIsB: { 'Fn::Equals': [{ 'Fn::Select': [1, { 'Fn::GetAZs': '' }] }, 'eu-west-1b'] },
      Loop1: { 'Fn::Not': [{ Condition: 'Loop2' }] },
      Loop2: { 'Fn::Not': [{ Condition: 'Loop1' }] },
      Broken: { 'Fn::Equals': ['a'] },
    },
    Resources: {
      ...RESOURCES,
      ProdOnly: { Type: 'AWS::SQS::Queue', Condition: 'IsProd' },
      DevOnly: { Type: 'AWS::SQS::Queue', Condition: 'IsNotProd' },
    },
  };
  const context = fakeContext(template);

  it('evaluates Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition references', () => {
    expect(evaluateCondition('IsProd', context)).toBe(false);
    expect(evaluateCondition('IsNotProd', context)).toBe(true);
    expect(evaluateCondition('IsDevInEurope', context)).toBe(true);
    expect(evaluateCondition('IsDevInEurope', fakeContext(template, { region: 'us-east-1' }))).toBe(false);
    expect(evaluateCondition('IsProd', fakeContext(template, { parameters: { Stage: 'prod' } }))).toBe(true);
    expect(evaluateCondition('HasTwoReplicas', context)).toBe(true);
    expect(evaluateCondition('SecondZoneIsB', context)).toBe(true);
  });

  it('picks the Fn::If branch', () => {
    expect(resolve({ 'Fn::If': ['IsProd', 'big', 'small'] }, context)).toBe('small');
    expect(resolve({ 'Fn::If': ['IsNotProd', { Ref: 'OrdersTable' }, { Ref: 'Unused' }] }, context)).toBe('phys-OrdersTable');
  });

  it('tells whether a conditional resource exists, and refuses to reference one that does not', () => {
    expect(isResourceEnabled('DevOnly', context)).toBe(true);
    expect(isResourceEnabled('ProdOnly', context)).toBe(false);
    expect(isResourceEnabled('OrdersTable', context)).toBe(true);
    expect(() => resolve({ Ref: 'ProdOnly' }, context)).toThrow(/ProdOnly is not created \(its condition IsProd is false\)/);
    expect(resolve({ Ref: 'DevOnly' }, context)).toBe('phys-DevOnly');
  });

  it('throws for unknown, circular and malformed conditions', () => {
    expect(() => resolve({ 'Fn::If': ['Nope', 'a', 'b'] }, context)).toThrow(/Unknown condition Nope/);
    expect(() => evaluateCondition('Loop1', context)).toThrow(/Circular condition: Loop1 -> Loop2 -> Loop1/);
    const error = errorOf(() => evaluateCondition('Broken', context));
    expect(error.templatePath).toBe('Conditions.Broken.Fn::Equals');
    expect(error.logicalId).toBe('Broken');
  });

  it('rejects condition functions used as values', () => {
    expect(() => resolve({ A: { 'Fn::Equals': ['a', 'a'] } })).toThrow(/Fn::Equals is a condition function/);
  });

  it('does not mistake an IAM policy statement Condition for the condition intrinsic', () => {
    const statement = {
      Action: 'sts:AssumeRole',
      Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:*']] } } },
    };
    expect(resolve(statement)).toEqual({ Action: 'sts:AssumeRole', Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:states:*' } } });
  });
});

// ------------------------------------------------ GetAZs / Base64 / FindInMap

describe('Fn::GetAZs, Fn::Base64, Fn::FindInMap', () => {
  it('returns a fixed list of zones for the region', () => {
    expect(resolve({ 'Fn::GetAZs': '' })).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(resolve({ 'Fn::GetAZs': { Ref: 'AWS::Region' } })).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(resolve({ 'Fn::GetAZs': 'us-east-1' })).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    expect(resolve({ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }, fakeContext({}, { availabilityZones: ['local-1a'] }))).toBe('local-1a');
  });

  it('base64-encodes', () => {
    expect(resolve({ 'Fn::Base64': { 'Fn::Sub': '#!/bin/sh\necho ${AWS::Region}' } })).toBe(
      Buffer.from('#!/bin/sh\necho eu-west-1').toString('base64'),
    );
  });

  it('looks up mappings', () => {
    const context = fakeContext({ Mappings: { Regions: { 'eu-west-1': { Short: 'euw1', Zones: ['a', 'b'] } } } });
    expect(resolve({ 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'Short'] }, context)).toBe('euw1');
    expect(resolve({ 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'Zones'] }, context)).toEqual(['a', 'b']);
    expect(() => resolve({ 'Fn::FindInMap': ['Regions', 'us-east-1', 'Short'] }, context)).toThrow(/no Mappings\.Regions\.us-east-1\.Short/);
  });

  it('throws for unknown intrinsics, naming the function and the path', () => {
    const error = errorOf(() => resolveValue({ Cidr: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] } }, ctx, ['Resources', 'Db', 'Properties']));
    expect(error.message).toContain('Unsupported intrinsic function Fn::Cidr');
    expect(error.templatePath).toBe('Resources.Db.Properties.Cidr.Fn::Cidr');
    expect(error.logicalId).toBe('Db');
  });

  it('leaves non-intrinsic values untouched', () => {
    const value = { a: 1, b: [true, null, 'x'], c: { Ref: 'AWS::Region', Other: 1 } };
    expect(resolve({ a: 1, b: [true, null, 'x'] })).toEqual({ a: 1, b: [true, null, 'x'] });
    // Two keys: not an intrinsic, but the values inside are still resolved.
    expect(resolve(value)).toEqual({ a: 1, b: [true, null, 'x'], c: { Ref: 'AWS::Region', Other: 1 } });
  });
});

// ----------------------------------------------- SSM & dynamic references

describe('SSM parameters and dynamic references', () => {
  const template: CfnTemplate = {
    Parameters: {
      SsmParameterValuecommercedevapiurlC96584B6F00A464EAD1953AFF4B05118Parameter: {
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: '/commerce/dev/api-url',
      },
      BootstrapVersion: {
        Type: 'AWS::SSM::Parameter::Value<String>',
        Default: '/cdk-bootstrap/hnb659fds/version',
        Description: 'Version of the CDK Bootstrap resources in this environment, automatically retrieved from SSM Parameter Store. [cdk:skip]',
      },
      Origins: { Type: 'AWS::SSM::Parameter::Value<List<String>>', Default: '/commerce/dev/origins' },
      Missing: { Type: 'AWS::SSM::Parameter::Value<String>', Default: '/commerce/dev/missing' },
    },
  };
  const context = fakeContext(template);

  it('resolves AWS::SSM::Parameter::Value<String> parameters through the SSM callback with the Default as the name', () => {
    expect(resolve({ Ref: 'SsmParameterValuecommercedevapiurlC96584B6F00A464EAD1953AFF4B05118Parameter' }, context)).toBe(
      'http://127.0.0.1:3000',
    );
    expect(resolve({ Ref: 'BootstrapVersion' }, context)).toBe('27');
    expect(resolve({ Ref: 'Origins' }, context)).toEqual(['http://a.test', 'http://b.test']);
  });

  it('uses a parameter value from the context as the SSM name', () => {
    const overridden = fakeContext(template, { parameters: { BootstrapVersion: '/commerce/dev/api-url' } });
    expect(resolve({ Ref: 'BootstrapVersion' }, overridden)).toBe('http://127.0.0.1:3000');
  });

  it('names the SSM parameter when the lookup fails', () => {
    const error = errorOf(() => resolveValue({ Url: { Ref: 'Missing' } }, context, ['Resources', 'OrdersFn', 'Properties']));
    expect(error.message).toContain('SSM parameter "/commerce/dev/missing" (for template parameter Missing) failed');
    expect(error.templatePath).toBe('Resources.OrdersFn.Properties.Url.Ref');
  });

  it('resolves {{resolve:ssm:...}} inside strings, with or without a version', () => {
    expect(resolve('url={{resolve:ssm:/commerce/dev/api-url}}')).toBe('url=http://127.0.0.1:3000');
    expect(resolve({ A: ['{{resolve:ssm:/commerce/dev/api-url:3}}', '{{resolve:ssm-secure:/cdk-bootstrap/hnb659fds/version:1}}'] })).toEqual({
      A: ['http://127.0.0.1:3000', '27'],
    });
  });

  it('resolves {{resolve:secretsmanager:...}} by name or ARN, with or without a JSON key', () => {
    expect(resolve('{{resolve:secretsmanager:commerce/dev/jwt:SecretString:signingKey::}}')).toBe('s3cr3t');
    expect(resolve('{{resolve:secretsmanager:commerce/dev/jwt}}')).toBe(SECRETS['commerce/dev/jwt']);
    expect(resolve('{{resolve:secretsmanager:commerce/dev/jwt:SecretString:::}}')).toBe(SECRETS['commerce/dev/jwt']);
    expect(
      resolve('{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:commerce/dev/db-AbC123:SecretString:password::}}'),
    ).toBe('p@ss:word');
  });

  it('resolves a secretsmanager reference assembled by Fn::Join, as CDK emits for secretValueFromJson', () => {
    const context2 = fakeContext({}, {
      physicalId: () => 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:commerce/dev/db-AbC123',
    });
    const value = {
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: 'OrdersTable' }, ':SecretString:password::}}']],
    };
    expect(resolve({ Environment: { Variables: { DB_PASSWORD: value } } }, context2)).toEqual({
      Environment: { Variables: { DB_PASSWORD: 'p@ss:word' } },
    });
  });

  it('does not re-resolve secret values and keeps surrounding text', () => {
    const context2 = fakeContext({}, { secretValue: () => '{{resolve:ssm:/nope}}' });
    expect(resolve('a-{{resolve:secretsmanager:x}}-b', context2)).toBe('a-{{resolve:ssm:/nope}}-b');
  });

  it('throws with the path for unsupported or failing dynamic references', () => {
    const error = errorOf(() => resolveValue({ Env: { Key: '{{resolve:secretsmanager:nope:SecretString:k::}}' } }, ctx, ['Resources', 'OrdersFn', 'Properties']));
    expect(error.templatePath).toBe('Resources.OrdersFn.Properties.Env.Key');
    expect(error.message).toContain('no secret nope');
    expect(() => resolve('{{resolve:secretsmanager:commerce/dev/jwt:SecretBinary}}')).toThrow(/only SecretString/);
    expect(() => resolve('{{resolve:vault:x}}')).toThrow(/Unsupported dynamic reference/);
  });
});

// ------------------------------------------------- outputs & containsIntrinsic

describe('outputs, exports and containsIntrinsic', () => {
  it('resolves outputs and exports, skipping outputs whose condition is false', () => {
    const template: CfnTemplate = {
      Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
      Outputs: {
        TableArn: { Value: { 'Fn::GetAtt': ['OrdersTable', 'Arn'] }, Export: { Name: { 'Fn::Sub': '${AWS::StackName}:TableArn' } } },
        Plain: { Value: { Ref: 'OrdersQueue' }, Description: 'queue' },
        Hidden: { Value: 'x', Condition: 'Never', Export: { Name: 'Hidden' } },
      },
    };
    const context = fakeContext(template);
    expect(resolveOutputs(context)).toEqual({
      TableArn: { value: 'OrdersTable#Arn', exportName: 'Commerce-dev-Orders:TableArn' },
      Plain: { value: 'phys-OrdersQueue', description: 'queue' },
    });
    expect([...resolveExports(context)]).toEqual([['Commerce-dev-Orders:TableArn', 'OrdersTable#Arn']]);
  });

  it('finds leftover intrinsics and dynamic references', () => {
    expect(containsIntrinsic({ a: [{ b: { Ref: 'X' } }] })).toBe(true);
    expect(containsIntrinsic({ a: { 'Fn::Whatever': [] } })).toBe(true);
    expect(containsIntrinsic(['{{resolve:ssm:/x}}'])).toBe(true);
    expect(containsIntrinsic({ a: 'Ref', b: { Ref: 'X', c: 1 }, d: 1, e: null })).toBe(false);
  });
});

// ----------------------------------------------------------- physical names

const ENV: LocalEnvironment = { region: 'eu-west-1', accountId: '123456789012', partition: 'aws', sqsBaseUrl: 'http://127.0.0.1:9324/000000000000' };

describe('physical names', () => {
  it('generates <stack>-<LogicalId>-<SUFFIX> names, deterministically and per stack', () => {
    const name = localPhysicalName('AWS::DynamoDB::Table', 'Commerce-dev-Users', 'UsersTable9725E9C8');
    expect(name).toMatch(/^Commerce-dev-Users-UsersTable9725E9C8-[A-Z0-9]{12}$/);
    expect(localPhysicalName('AWS::DynamoDB::Table', 'Commerce-dev-Users', 'UsersTable9725E9C8')).toBe(name);
    expect(localPhysicalName('AWS::DynamoDB::Table', 'Commerce-prod-Users', 'UsersTable9725E9C8')).not.toMatch(name.slice(-12));
    expect(localPhysicalName('AWS::Lambda::Function', 'S', 'Fn')).toMatch(/^S-Fn-[A-Z0-9]{12}$/);
  });

  it('uses the CloudFormation shapes of state machines, secrets, SSM parameters, API ids and KMS keys', () => {
    expect(localPhysicalName('AWS::StepFunctions::StateMachine', 'S', 'Checkout1234')).toMatch(/^Checkout1234-[A-Za-z0-9]{12}$/);
    expect(localPhysicalName('AWS::SecretsManager::Secret', 'S', 'JwtSecret')).toMatch(/^JwtSecret-[A-Za-z0-9]{12}$/);
    expect(localPhysicalName('AWS::SSM::Parameter', 'S', 'Param')).toMatch(/^CFN-Param-[A-Za-z0-9]{12}$/);
    expect(localPhysicalName('AWS::ApiGateway::RestApi', 'S', 'Api')).toMatch(/^[a-z0-9]{10}$/);
    expect(localPhysicalName('AWS::ApiGateway::Resource', 'S', 'ApiOrders')).toMatch(/^[a-z0-9]{6}$/);
    expect(localPhysicalName('AWS::ApiGateway::Deployment', 'S', 'ApiDeployment')).toMatch(/^[a-z0-9]{6}$/);
    expect(localPhysicalName('AWS::KMS::Key', 'S', 'Key')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(localPhysicalName('AWS::S3::Bucket', 'Commerce-Dev', 'Assets')).toMatch(/^commerce-dev-assets-[a-z0-9]{12}$/);
  });

  it('honours explicit name properties', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['AWS::DynamoDB::Table', { TableName: 'orders' }, 'orders'],
      ['AWS::Lambda::Function', { FunctionName: 'orders-fn' }, 'orders-fn'],
      ['AWS::SQS::Queue', { QueueName: 'orders.fifo', FifoQueue: true }, 'orders.fifo'],
      ['AWS::SNS::Topic', { TopicName: 'alerts' }, 'alerts'],
      ['AWS::Events::EventBus', { Name: 'commerce-dev' }, 'commerce-dev'],
      ['AWS::Events::Archive', { ArchiveName: 'commerce-archive' }, 'commerce-archive'],
      ['AWS::StepFunctions::StateMachine', { StateMachineName: 'checkout' }, 'checkout'],
      ['AWS::SecretsManager::Secret', { Name: 'commerce/dev/jwt' }, 'commerce/dev/jwt'],
      ['AWS::SSM::Parameter', { Name: '/commerce/dev/x' }, '/commerce/dev/x'],
      ['AWS::IAM::Role', { RoleName: 'role' }, 'role'],
      ['AWS::Logs::LogGroup', { LogGroupName: '/aws/lambda/x' }, '/aws/lambda/x'],
      ['AWS::CloudWatch::Alarm', { AlarmName: 'alarm' }, 'alarm'],
      ['AWS::ApiGateway::Stage', { StageName: 'prod' }, 'prod'],
    ];
    for (const [type, props, expected] of cases) {
      expect(localPhysicalName(type, 'S', 'Logical', props), type).toBe(expected);
    }
    // Unresolved (non-string) names are ignored rather than stringified.
    expect(localPhysicalName('AWS::DynamoDB::Table', 'S', 'T', { TableName: { Ref: 'X' } })).toMatch(/^S-T-/);
    expect(namingProperties('AWS::SQS::Queue')).toEqual(['QueueName', 'FifoQueue']);
  });

  it('respects length limits, trimming the stack name and logical id', () => {
    const stack = 'Commerce-development-OrderProcessingAndFulfilment';
    const logical = 'OrderFulfilmentNotificationHandlerFunctionWithAVeryLongName12345678';
    const limits: [string, number][] = [
      ['AWS::Lambda::Function', 64],
      ['AWS::SQS::Queue', 80],
      ['AWS::IAM::Role', 64],
      ['AWS::Events::Rule', 64],
      ['AWS::Events::Archive', 48],
      ['AWS::StepFunctions::StateMachine', 80],
      ['AWS::S3::Bucket', 63],
    ];
    for (const [type, limit] of limits) {
      const name = localPhysicalName(type, stack, logical + logical);
      expect(name.length, type).toBeLessThanOrEqual(limit);
      expect(name.length, type).toBeGreaterThan(limit - 3);
    }
    const fn = localPhysicalName('AWS::Lambda::Function', stack, logical);
    expect(fn.startsWith('Commerce-development-Ord')).toBe(true);
    expect(fn).toMatch(/^[A-Za-z0-9_-]+$/);
    const fifo = localPhysicalName('AWS::SQS::Queue', stack, logical + logical, { FifoQueue: 'true' });
    expect(fifo.endsWith('.fifo')).toBe(true);
    expect(fifo.length).toBe(80);
    const short = localPhysicalName('AWS::Lambda::Function', 'Commerce-dev-Users', 'UsersFn');
    expect(short).toMatch(/^Commerce-dev-Users-UsersFn-[A-Z0-9]{12}$/);
  });

  it('builds ARNs', () => {
    expect(arnFor('AWS::DynamoDB::Table', 'orders', ENV)).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/orders');
    expect(arnFor('AWS::Lambda::Function', 'fn', ENV)).toBe('arn:aws:lambda:eu-west-1:123456789012:function:fn');
    expect(arnFor('AWS::SQS::Queue', 'q', ENV)).toBe('arn:aws:sqs:eu-west-1:123456789012:q');
    expect(arnFor('AWS::SNS::Topic', 't', ENV)).toBe('arn:aws:sns:eu-west-1:123456789012:t');
    expect(arnFor('AWS::Events::EventBus', 'bus', ENV)).toBe('arn:aws:events:eu-west-1:123456789012:event-bus/bus');
    expect(arnFor('AWS::Events::Archive', 'arch', ENV)).toBe('arn:aws:events:eu-west-1:123456789012:archive/arch');
    expect(arnFor('AWS::Events::Rule', 'r', ENV, { EventBusName: 'bus' })).toBe('arn:aws:events:eu-west-1:123456789012:rule/bus/r');
    expect(arnFor('AWS::Events::Rule', 'r', ENV)).toBe('arn:aws:events:eu-west-1:123456789012:rule/r');
    expect(arnFor('AWS::StepFunctions::StateMachine', 'sm', ENV)).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:sm');
    expect(arnFor('AWS::SecretsManager::Secret', 'commerce/jwt', ENV)).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:123456789012:secret:commerce\/jwt-[A-Za-z0-9]{6}$/,
    );
    expect(arnFor('AWS::IAM::Role', 'role', ENV)).toBe('arn:aws:iam::123456789012:role/role');
    expect(arnFor('AWS::IAM::Role', 'role', ENV, { Path: '/service/' })).toBe('arn:aws:iam::123456789012:role/service/role');
    expect(arnFor('AWS::Logs::LogGroup', '/aws/lambda/fn', ENV)).toBe('arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/fn:*');
    expect(arnFor('AWS::KMS::Key', 'k-1', ENV)).toBe('arn:aws:kms:eu-west-1:123456789012:key/k-1');
    expect(arnFor('AWS::CloudWatch::Alarm', 'a', ENV)).toBe('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a');
    expect(arnFor('AWS::SSM::Parameter', '/commerce/x', ENV)).toBe('arn:aws:ssm:eu-west-1:123456789012:parameter/commerce/x');
    expect(arnFor('AWS::Lambda::Alias', 'live', ENV, { FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:fn' })).toBe(
      'arn:aws:lambda:eu-west-1:123456789012:function:fn:live',
    );
    expect(arnFor('AWS::DynamoDB::Table', 't', { ...ENV, partition: 'aws-cn', region: 'cn-north-1' })).toBe(
      'arn:aws-cn:dynamodb:cn-north-1:123456789012:table/t',
    );
    expect(() => arnFor('AWS::ApiGateway::Stage', 'prod', ENV)).toThrow(/has no ARN/);
  });

  it('builds Ref values', () => {
    expect(refFor('AWS::SQS::Queue', 'q', ENV)).toBe('http://127.0.0.1:9324/000000000000/q');
    expect(queueUrl('q', { ...ENV, sqsBaseUrl: undefined })).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/q');
    expect(refFor('AWS::SNS::Topic', 't', ENV)).toBe(arnFor('AWS::SNS::Topic', 't', ENV));
    expect(refFor('AWS::StepFunctions::StateMachine', 'sm', ENV)).toBe(arnFor('AWS::StepFunctions::StateMachine', 'sm', ENV));
    expect(refFor('AWS::SecretsManager::Secret', 's', ENV)).toBe(arnFor('AWS::SecretsManager::Secret', 's', ENV));
    for (const type of ['AWS::DynamoDB::Table', 'AWS::Lambda::Function', 'AWS::Events::EventBus', 'AWS::Logs::LogGroup', 'AWS::ApiGateway::RestApi', 'AWS::SSM::Parameter', 'AWS::IAM::Role', 'AWS::KMS::Key']) {
      expect(refFor(type, 'name', ENV), type).toBe('name');
    }
    expect(refFor('AWS::Events::Rule', 'r', ENV, { EventBusName: 'arn:aws:events:eu-west-1:123456789012:event-bus/commerce' })).toBe('commerce|r');
    expect(refFor('AWS::Events::Rule', 'r', ENV, { EventBusName: 'default' })).toBe('r');
  });

  it('builds attributes', () => {
    expect(attributeFor('AWS::DynamoDB::Table', 't', 'Arn', ENV)).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/t');
    expect(attributeFor('AWS::DynamoDB::Table', 't', 'StreamArn', ENV)).toMatch(/^arn:aws:dynamodb:eu-west-1:123456789012:table\/t\/stream\/.+$/);
    expect(attributeFor('AWS::Lambda::Function', 'f', 'Arn', ENV)).toBe('arn:aws:lambda:eu-west-1:123456789012:function:f');
    expect(attributeFor('AWS::SQS::Queue', 'q', 'Arn', ENV)).toBe('arn:aws:sqs:eu-west-1:123456789012:q');
    expect(attributeFor('AWS::SQS::Queue', 'q', 'QueueName', ENV)).toBe('q');
    expect(attributeFor('AWS::SQS::Queue', 'q', 'QueueUrl', ENV)).toBe('http://127.0.0.1:9324/000000000000/q');
    expect(attributeFor('AWS::SNS::Topic', 't', 'TopicName', ENV)).toBe('t');
    expect(attributeFor('AWS::Events::EventBus', 'b', 'Name', ENV)).toBe('b');
    expect(attributeFor('AWS::Events::EventBus', 'b', 'Arn', ENV)).toBe('arn:aws:events:eu-west-1:123456789012:event-bus/b');
    expect(attributeFor('AWS::Events::Archive', 'a', 'Arn', ENV)).toBe('arn:aws:events:eu-west-1:123456789012:archive/a');
    expect(attributeFor('AWS::StepFunctions::StateMachine', 'sm', 'Name', ENV)).toBe('sm');
    expect(attributeFor('AWS::StepFunctions::StateMachine', 'sm', 'Arn', ENV)).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:sm');
    expect(attributeFor('AWS::IAM::Role', 'r', 'Arn', ENV)).toBe('arn:aws:iam::123456789012:role/r');
    expect(attributeFor('AWS::IAM::Role', 'r', 'RoleId', ENV)).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(attributeFor('AWS::Logs::LogGroup', 'g', 'Arn', ENV)).toBe('arn:aws:logs:eu-west-1:123456789012:log-group:g:*');
    expect(attributeFor('AWS::ApiGateway::RestApi', 'abcdefghij', 'RootResourceId', ENV)).toMatch(/^[a-z0-9]{10}$/);
    expect(attributeFor('AWS::ApiGateway::Resource', 'abc123', 'ResourceId', ENV)).toBe('abc123');
    expect(attributeFor('AWS::ApiGateway::Deployment', 'def456', 'DeploymentId', ENV)).toBe('def456');
    expect(attributeFor('AWS::KMS::Key', 'k', 'KeyId', ENV)).toBe('k');
    expect(attributeFor('AWS::KMS::Key', 'k', 'Arn', ENV)).toBe('arn:aws:kms:eu-west-1:123456789012:key/k');
    expect(attributeFor('AWS::CloudWatch::Alarm', 'a', 'Arn', ENV)).toBe('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a');
    expect(attributeFor('AWS::SecretsManager::Secret', 's', 'Id', ENV)).toBe(arnFor('AWS::SecretsManager::Secret', 's', ENV));
    expect(attributeFor('AWS::SSM::Parameter', '/x', 'Value', ENV, { Value: 'v' })).toBe('v');
    expect(() => attributeFor('AWS::DynamoDB::Table', 't', 'Nope', ENV)).toThrow(/attribute Nope of AWS::DynamoDB::Table is not supported/);
    expect(() => attributeFor('AWS::ApiGateway::Stage', 'prod', 'Arn', ENV)).toThrow(/has no ARN/);
  });
});

describe('createLocalResolveContext', () => {
  const options = {
    env: ENV,
    importValue: () => {
      throw new Error('no exports');
    },
    ssmParameter: (name: string) => `ssm:${name}`,
    secretValue: (id: string, key?: string) => `secret:${id}:${key ?? ''}`,
  };

  it('resolves explicit names that are intrinsics, and references between resources', () => {
    const template: CfnTemplate = {
      Resources: {
        Table: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'orders']] } } },
        Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'commerce-dev' } },
        Rule: { Type: 'AWS::Events::Rule', Properties: { EventBusName: { Ref: 'Bus' } } },
        Queue: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } },
      },
    };
    const context = createLocalResolveContext({ ...options, stackName: 'Commerce-dev-Orders', template });
    expect(resolve({ Ref: 'Table' }, context)).toBe('Commerce-dev-Orders-orders');
    expect(resolve({ 'Fn::GetAtt': ['Table', 'Arn'] }, context)).toBe('arn:aws:dynamodb:eu-west-1:123456789012:table/Commerce-dev-Orders-orders');
    expect(resolve({ Ref: 'Rule' }, context)).toMatch(/^commerce-dev\|Commerce-dev-Orders-Rule-[A-Z0-9]{12}$/);
    expect(resolve({ 'Fn::GetAtt': ['Rule', 'Arn'] }, context)).toMatch(/:rule\/commerce-dev\/Commerce-dev-Orders-Rule-/);
    expect(context.localName('Queue')).toMatch(/\.fifo$/);
    expect(resolve({ Ref: 'Queue' }, context)).toBe(`http://127.0.0.1:9324/000000000000/${context.localName('Queue')}`);
  });

  it('reports circular names and unsupported attributes with the path', () => {
    const template: CfnTemplate = {
      Resources: {
        A: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['B', 'QueueName'] } } },
        B: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { 'Fn::GetAtt': ['A', 'QueueName'] } } },
        Custom: { Type: 'Custom::Seed' },
      },
    };
    const context = createLocalResolveContext({
      ...options,
      stackName: 'S',
      template,
      customAttribute: (_id, type, attribute) => (type === 'Custom::Seed' && attribute === 'Version' ? '7' : undefined),
    });
    expect(() => resolve({ Ref: 'A' }, context)).toThrow(/circular reference while naming A -> B -> A/);
    expect(resolve({ 'Fn::GetAtt': ['Custom', 'Version'] }, context)).toBe('7');
    const error = errorOf(() => resolveValue({ X: { 'Fn::GetAtt': ['Custom', 'Other'] } }, context, ['Resources', 'Fn', 'Properties']));
    expect(error.message).toContain('attribute Other of Custom::Seed is not supported locally');
    expect(error.templatePath).toBe('Resources.Fn.Properties.X.Fn::GetAtt');
  });
});

// ------------------------------------------------------ a real CDK template

describe('templates synthesized by aws-cdk-lib', () => {
  const logicalId = (element: unknown) => {
    const cfn = element as CfnElement;
    return Stack.of(cfn).getLogicalId(cfn);
  };

  function buildApp() {
    const app = new App({ analyticsReporting: true });
    const users = new Stack(app, 'Users', { stackName: 'Commerce-dev-Users' });
    const table = new dynamodb.Table(users, 'UsersTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    const queue = new sqs.Queue(users, 'Outbox');
    const bus = new events.EventBus(users, 'Bus');
    const jwt = new secretsmanager.Secret(users, 'JwtSecret');
    const fn = new lambda.Function(users, 'UsersFn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      environment: {
        TABLE_NAME: table.tableName,
        TABLE_ARN: table.tableArn,
        TABLE_STREAM_ARN: table.tableStreamArn ?? '',
        QUEUE_URL: queue.queueUrl,
        QUEUE_ARN: queue.queueArn,
        BUS_NAME: bus.eventBusName,
        BUS_ARN: bus.eventBusArn,
        API_URL: ssm.StringParameter.valueForStringParameter(users, '/commerce/dev/api-url'),
        JWT_KEY: jwt.secretValueFromJson('signingKey').unsafeUnwrap(),
        REGION_PARTITION: `${users.region}/${users.partition}/${users.urlSuffix}`,
      },
    });
    table.grantReadWriteData(fn);
    queue.grantSendMessages(fn);
    bus.grantPutEventsTo(fn);
    new events.Rule(users, 'OnUserCreated', {
      eventBus: bus,
      eventPattern: { source: ['commerce.users'] },
      targets: [new targets.SqsQueue(queue), new targets.LambdaFunction(fn)],
    });
    const machine = new sfn.StateMachine(users, 'Onboarding', {
      definitionBody: sfn.DefinitionBody.fromChainable(new tasks.LambdaInvoke(users, 'Welcome', { lambdaFunction: fn })),
    });
    const api = new apigateway.LambdaRestApi(users, 'Api', { handler: fn, proxy: false, cloudWatchRole: false });
    api.root.addResource('users').addMethod('GET');
    new CfnOutput(users, 'MachineArn', { value: machine.stateMachineArn });

    const orders = new Stack(app, 'Orders', { stackName: 'Commerce-dev-Orders' });
    const consumer = new lambda.Function(orders, 'OrdersFn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
      environment: { USERS_TABLE_ARN: table.tableArn, USERS_TABLE_NAME: table.tableName },
    });
    return { app, users, orders, table, queue, bus, jwt, fn, machine, api, consumer };
  }

  const built = buildApp();
  const usersTemplate = Template.fromStack(built.users).toJSON() as CfnTemplate;
  const ordersTemplate = Template.fromStack(built.orders).toJSON() as CfnTemplate;
  const env: LocalEnvironment = { region: 'us-east-1', accountId: '000000000000', partition: 'aws', sqsBaseUrl: 'http://127.0.0.1:9324/000000000000' };
  const ssmValues: Record<string, string> = { '/commerce/dev/api-url': 'http://127.0.0.1:3000', '/cdk-bootstrap/hnb659fds/version': '30' };
  const common = {
    env,
    ssmParameter: (name: string) => {
      const value = ssmValues[name];
      if (value === undefined) throw new Error(`no SSM parameter ${name}`);
      return value;
    },
    secretValue: (id: string, key?: string) => `secret(${id},${key ?? ''})`,
  };
  const usersCtx: LocalStackContext = createLocalResolveContext({
    ...common,
    stackName: built.users.stackName,
    template: usersTemplate,
    importValue: (name) => {
      throw new Error(`no export ${name}`);
    },
  });
  const usersExports = resolveExports(usersCtx);
  const ordersCtx = createLocalResolveContext({
    ...common,
    stackName: built.orders.stackName,
    template: ordersTemplate,
    importValue: (name) => {
      const value = usersExports.get(name);
      if (value === undefined) throw new Error(`no export ${name}`);
      return value;
    },
  });

  const ids = {
    table: logicalId(built.table.node.defaultChild),
    queue: logicalId(built.queue.node.defaultChild),
    bus: logicalId(built.bus.node.defaultChild),
    jwt: logicalId(built.jwt.node.defaultChild),
    fn: logicalId(built.fn.node.defaultChild),
    machine: logicalId(built.machine.node.defaultChild),
    api: logicalId(built.api.node.defaultChild),
    consumer: logicalId(built.consumer.node.defaultChild),
  };

  it('resolves the function so that no intrinsic remains and env vars are the local names', () => {
    const props = resolveResourceProperties(ids.fn, usersCtx);
    expect(containsIntrinsic(props)).toBe(false);
    expect(JSON.stringify(props)).not.toMatch(/"Ref"|Fn::|\{\{resolve:/);

    const tableName = localPhysicalName('AWS::DynamoDB::Table', 'Commerce-dev-Users', ids.table);
    expect(tableName).toMatch(/^Commerce-dev-Users-UsersTable[0-9A-F]{8}-[A-Z0-9]{12}$/);
    const queueName = localPhysicalName('AWS::SQS::Queue', 'Commerce-dev-Users', ids.queue);
    // CDK names event buses itself (`<stack id><construct id><hash>`), so that name wins.
    const busName = (usersTemplate.Resources?.[ids.bus]?.Properties?.Name as string) ?? '';
    expect(busName).toMatch(/^UsersBus[0-9A-F]{8}$/);
    const secretArn = arnFor('AWS::SecretsManager::Secret', localPhysicalName('AWS::SecretsManager::Secret', 'Commerce-dev-Users', ids.jwt), env);

    const variables = (props.Environment as { Variables: Record<string, string> }).Variables;
    expect(variables).toEqual({
      TABLE_NAME: tableName,
      TABLE_ARN: arnFor('AWS::DynamoDB::Table', tableName, env),
      TABLE_STREAM_ARN: attributeFor('AWS::DynamoDB::Table', tableName, 'StreamArn', env),
      QUEUE_URL: `http://127.0.0.1:9324/000000000000/${queueName}`,
      QUEUE_ARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
      BUS_NAME: busName,
      BUS_ARN: `arn:aws:events:us-east-1:000000000000:event-bus/${busName}`,
      API_URL: 'http://127.0.0.1:3000',
      JWT_KEY: `secret(${secretArn},signingKey)`,
      REGION_PARTITION: 'us-east-1/aws/amazonaws.com',
    });
    expect(props.FunctionName).toBeUndefined();
    expect(props.Role).toBe(`arn:aws:iam::000000000000:role/${usersCtx.localName(logicalId(built.fn.role?.node.defaultChild))}`);
    expect(usersCtx.localName(ids.fn).length).toBeLessThanOrEqual(64);
  });

  it('resolves the consuming stack through the export CDK generated', () => {
    const raw = ordersTemplate.Resources?.[ids.consumer]?.Properties as { Environment: { Variables: Record<string, unknown> } };
    const imported = raw.Environment.Variables.USERS_TABLE_ARN as Record<string, string>;
    expect(Object.keys(imported)).toEqual(['Fn::ImportValue']);
    expect(imported['Fn::ImportValue']).toMatch(/^Commerce-dev-Users:ExportsOutputFnGetAttUsersTable[0-9A-F]{8}Arn[0-9A-F]{8}$/);

    const props = resolveResourceProperties(ids.consumer, ordersCtx);
    expect(containsIntrinsic(props)).toBe(false);
    const tableName = usersCtx.localName(ids.table);
    expect((props.Environment as { Variables: Record<string, string> }).Variables).toEqual({
      USERS_TABLE_ARN: arnFor('AWS::DynamoDB::Table', tableName, env),
      USERS_TABLE_NAME: tableName,
    });
  });

  it('resolves every resource and output of both stacks without leftovers', () => {
    for (const context of [usersCtx, ordersCtx]) {
      for (const [id, resource] of Object.entries(context.template.Resources ?? {})) {
        if (!isResourceEnabled(id, context)) continue;
        const props = resolveResourceProperties(id, context);
        expect(containsIntrinsic(props), `${context.stackName}/${id} (${resource.Type})`).toBe(false);
      }
      for (const output of Object.values(resolveOutputs(context))) expect(containsIntrinsic(output)).toBe(false);
    }
  });

  it('evaluates the CDKMetadataAvailable condition CDK emits for env-agnostic stacks', () => {
    const metadata = Object.entries(usersTemplate.Resources ?? {}).find(([, r]) => r.Type === 'AWS::CDK::Metadata');
    expect(metadata?.[1].Condition).toBe('CDKMetadataAvailable');
    expect(isResourceEnabled(metadata?.[0] ?? '', usersCtx)).toBe(true);
    const elsewhere = createLocalResolveContext({
      ...common,
      env: { ...env, region: 'local-1' },
      stackName: 'Commerce-dev-Users',
      template: usersTemplate,
      importValue: () => '',
    });
    expect(isResourceEnabled(metadata?.[0] ?? '', elsewhere)).toBe(false);
  });

  it('produces a runnable state machine definition and the API endpoint output', () => {
    const machine = resolveResourceProperties(ids.machine, usersCtx);
    const definition = JSON.parse(machine.DefinitionString as string) as { States: Record<string, { Resource: string; Parameters: Record<string, string> }> };
    expect(definition.States.Welcome?.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(definition.States.Welcome?.Parameters.FunctionName).toBe(arnFor('AWS::Lambda::Function', usersCtx.localName(ids.fn), env));

    const outputs = resolveOutputs(usersCtx);
    const apiId = usersCtx.localName(ids.api);
    const endpoint = Object.entries(outputs).find(([id]) => id.startsWith('ApiEndpoint'))?.[1].value;
    expect(endpoint).toBe(`https://${apiId}.execute-api.us-east-1.amazonaws.com/prod/`);
    expect(outputs.MachineArn?.value).toMatch(/^arn:aws:states:us-east-1:000000000000:stateMachine:Onboarding[0-9A-F]{8}-[A-Za-z0-9]{12}$/);
  });

  it('resolves the bootstrap version parameter through SSM', () => {
    expect(usersTemplate.Parameters?.BootstrapVersion).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '/cdk-bootstrap/hnb659fds/version',
    });
    expect(resolveValue({ Ref: 'BootstrapVersion' }, usersCtx)).toBe('30');
  });
});
