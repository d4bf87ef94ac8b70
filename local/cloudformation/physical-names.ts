/**
 * Deterministic local physical names, ids and ARNs for CloudFormation resources.
 *
 * CloudFormation names unnamed resources `<stackName>-<LogicalId>-<RANDOM>` (a few
 * services use `<LogicalId>-<RANDOM>` or an opaque id instead) and truncates the
 * stack name / logical id to fit each service's length limit. Locally the random
 * parts are derived from a hash of the stack name and logical id, so a resource
 * keeps its name across runs and re-synths, and two stacks never collide.
 *
 * Explicit names set in the template (`TableName`, `FunctionName`, `QueueName`, ...)
 * always win.
 */
import { createHash } from 'node:crypto';

import {
  resolveValue,
  type AttributeValue,
  type CfnTemplate,
  type ResolveContext,
} from './intrinsics';

/** Where the local resources "live". */
export interface LocalEnvironment {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  /** Defaults to `amazonaws.com` (`amazonaws.com.cn` in aws-cn). */
  readonly urlSuffix?: string;
  /**
   * Queue URLs are `<sqsBaseUrl>/<queueName>`, e.g. `http://127.0.0.1:9324/000000000000`.
   * Defaults to the real SQS form `https://sqs.<region>.<urlSuffix>/<accountId>`.
   */
  readonly sqsBaseUrl?: string;
}

/**
 * Resolved values of the properties that shape a resource's name, ARN or attributes
 * (the ones listed by {@link namingProperties}); unresolved or missing ones are ignored.
 */
export type NamingProperties = Readonly<Record<string, unknown>>;

interface TypeRule {
  /** Property holding an explicit name. */
  readonly nameProperty?: string;
  /** Other properties that affect the name, ARN or attributes. */
  readonly extraProperties?: readonly string[];
  /** Maximum name length. */
  readonly maxLength?: number;
  /** How CloudFormation generates the name when none is given. */
  readonly generated?: 'stack-logical' | 'logical' | 'cfn-logical' | 'lower-stack-logical' | 'id10' | 'id6' | 'uuid' | 'version';
}

const RULES: Readonly<Record<string, TypeRule>> = {
  'AWS::DynamoDB::Table': { nameProperty: 'TableName', maxLength: 255, generated: 'stack-logical' },
  'AWS::Lambda::Function': { nameProperty: 'FunctionName', maxLength: 64, generated: 'stack-logical' },
  'AWS::Lambda::Version': { extraProperties: ['FunctionName'], generated: 'version' },
  'AWS::Lambda::Alias': { nameProperty: 'Name', extraProperties: ['FunctionName'], maxLength: 128 },
  'AWS::Lambda::EventSourceMapping': { generated: 'uuid' },
  'AWS::SQS::Queue': { nameProperty: 'QueueName', extraProperties: ['FifoQueue'], maxLength: 80, generated: 'stack-logical' },
  'AWS::SNS::Topic': { nameProperty: 'TopicName', extraProperties: ['FifoTopic'], maxLength: 256, generated: 'stack-logical' },
  'AWS::Events::EventBus': { nameProperty: 'Name', maxLength: 256, generated: 'stack-logical' },
  'AWS::Events::Archive': { nameProperty: 'ArchiveName', maxLength: 48, generated: 'stack-logical' },
  'AWS::Events::Rule': { nameProperty: 'Name', extraProperties: ['EventBusName'], maxLength: 64, generated: 'stack-logical' },
  'AWS::StepFunctions::StateMachine': { nameProperty: 'StateMachineName', maxLength: 80, generated: 'logical' },
  'AWS::SecretsManager::Secret': { nameProperty: 'Name', maxLength: 512, generated: 'logical' },
  'AWS::IAM::Role': { nameProperty: 'RoleName', extraProperties: ['Path'], maxLength: 64, generated: 'stack-logical' },
  'AWS::IAM::ManagedPolicy': { nameProperty: 'ManagedPolicyName', extraProperties: ['Path'], maxLength: 128, generated: 'stack-logical' },
  'AWS::IAM::Policy': { maxLength: 128, generated: 'stack-logical' },
  'AWS::Logs::LogGroup': { nameProperty: 'LogGroupName', maxLength: 512, generated: 'stack-logical' },
  'AWS::ApiGateway::RestApi': { generated: 'id10' },
  'AWS::ApiGateway::Resource': { generated: 'id6' },
  'AWS::ApiGateway::Deployment': { generated: 'id6' },
  'AWS::ApiGateway::Stage': { nameProperty: 'StageName', maxLength: 128, generated: 'stack-logical' },
  'AWS::SSM::Parameter': { nameProperty: 'Name', extraProperties: ['Type', 'Value'], maxLength: 1011, generated: 'cfn-logical' },
  'AWS::KMS::Key': { generated: 'uuid' },
  'AWS::KMS::Alias': { nameProperty: 'AliasName', maxLength: 256, generated: 'stack-logical' },
  'AWS::CloudWatch::Alarm': { nameProperty: 'AlarmName', maxLength: 255, generated: 'stack-logical' },
  'AWS::S3::Bucket': { nameProperty: 'BucketName', maxLength: 63, generated: 'lower-stack-logical' },
};

const DEFAULT_RULE: TypeRule = { maxLength: 255, generated: 'stack-logical' };

function ruleFor(type: string): TypeRule {
  return RULES[type] ?? DEFAULT_RULE;
}

/** The resource types with dedicated naming and attribute rules (others get a generic fallback). */
export const SUPPORTED_TYPES: readonly string[] = Object.keys(RULES);

/** The property holding an explicit name for this type (`TableName`, `QueueName`, ...), if any. */
export function nameProperty(type: string): string | undefined {
  return ruleFor(type).nameProperty;
}

/** The properties to resolve and pass as {@link NamingProperties} for this type. */
export function namingProperties(type: string): readonly string[] {
  const rule = ruleFor(type);
  return [...(rule.nameProperty ? [rule.nameProperty] : []), ...(rule.extraProperties ?? [])];
}

/** The maximum length of a name of this type. */
export function maxNameLength(type: string): number | undefined {
  return ruleFor(type).maxLength;
}

// ---------------------------------------------------------------- hashing

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MIXED_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` characters of `alphabet`, deterministically derived from `seed`. */
export function deterministicToken(seed: string, length: number, alphabet: string = UPPER_ALNUM): string {
  let out = '';
  let block = 0;
  while (out.length < length) {
    const digest = createHash('sha256').update(`${seed}#${block++}`).digest();
    for (const byte of digest) {
      if (out.length === length) break;
      out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

function deterministicUuid(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = '89ab'[parseInt(hex[16] ?? '0', 16) % 4];
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Joins `parts` and `suffix` with `-`, trimming the longest parts first so the result fits `maxLength`. */
function fit(parts: readonly string[], suffix: string, maxLength: number): string {
  const trimmed = [...parts];
  const budget = maxLength - suffix.length - trimmed.length;
  let total = trimmed.reduce((sum, part) => sum + part.length, 0);
  while (total > budget && total > 0) {
    let longest = 0;
    trimmed.forEach((part, index) => {
      if (part.length > (trimmed[longest] ?? '').length) longest = index;
    });
    trimmed[longest] = (trimmed[longest] ?? '').slice(0, -1);
    total--;
  }
  return [...trimmed.filter((part) => part !== ''), suffix].join('-');
}

// ------------------------------------------------------------------ names

function stringProperty(props: NamingProperties | undefined, name: string | undefined): string | undefined {
  if (!props || !name) return undefined;
  const value = props[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * The local physical name of a resource: its explicit name when the template sets one,
 * else what CloudFormation would generate (deterministically).
 *
 * - most types: `<stackName>-<LogicalId>-<SUFFIX>`, trimmed to the type's limit
 *   (DynamoDB 255, Lambda 64, SQS 80, Events rules 64, archives 48, IAM roles 64, ...);
 * - FIFO queues/topics end with `.fifo`; S3 buckets are lower case;
 * - state machines and secrets: `<LogicalId>-<Suffix>`; SSM parameters: `CFN-<LogicalId>-<Suffix>`;
 * - API Gateway REST APIs (10 chars), resources and deployments (6 chars): opaque ids;
 * - KMS keys, event source mappings: UUIDs; Lambda versions: `1`.
 */
export function localPhysicalName(type: string, stackName: string, logicalId: string, props?: NamingProperties): string {
  const rule = ruleFor(type);
  const explicit = stringProperty(props, rule.nameProperty);
  if (explicit !== undefined) return explicit;
  const seed = `${stackName}/${logicalId}`;
  const max = rule.maxLength ?? 255;
  const fifo = (type === 'AWS::SQS::Queue' && isTrue(props?.FifoQueue)) || (type === 'AWS::SNS::Topic' && isTrue(props?.FifoTopic));
  const end = fifo ? '.fifo' : '';
  switch (rule.generated ?? 'stack-logical') {
    case 'logical':
      return fit([logicalId], deterministicToken(seed, 12, MIXED_ALNUM), max);
    case 'cfn-logical':
      return fit(['CFN', logicalId], deterministicToken(seed, 12, MIXED_ALNUM), max);
    case 'lower-stack-logical':
      return fit([stackName.toLowerCase(), logicalId.toLowerCase()], deterministicToken(seed, 12, LOWER_ALNUM), max);
    case 'id10':
      return deterministicToken(seed, 10, LOWER_ALNUM);
    case 'id6':
      return deterministicToken(seed, 6, LOWER_ALNUM);
    case 'uuid':
      return deterministicUuid(seed);
    case 'version':
      return '1';
    case 'stack-logical':
      return fit([stackName, logicalId], deterministicToken(seed, 12), max - end.length) + end;
  }
}

// ------------------------------------------------------------ refs & ARNs

function urlSuffixOf(env: LocalEnvironment): string {
  return env.urlSuffix ?? (env.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com');
}

/** The `<region>:<account>` middle of a regional ARN. */
function arn(env: LocalEnvironment, service: string, resource: string, global = false): string {
  return `arn:${env.partition}:${service}:${global ? '' : env.region}:${env.accountId}:${resource}`;
}

/** `/path/` normalised: leading and trailing slash. */
function iamPath(props: NamingProperties | undefined): string {
  const path = stringProperty(props, 'Path') ?? '/';
  return `${path.startsWith('/') ? '' : '/'}${path}${path.endsWith('/') ? '' : '/'}`;
}

/** A function name from a `FunctionName` property that may hold a name, a partial or a full ARN. */
function functionArn(env: LocalEnvironment, props: NamingProperties | undefined): string {
  const fn = stringProperty(props, 'FunctionName');
  if (fn === undefined) throw new Error('needs the resolved FunctionName property');
  if (fn.startsWith('arn:')) return fn.split(':').slice(0, 7).join(':');
  return arn(env, 'lambda', `function:${fn}`);
}

/** An event bus name from `EventBusName`, which may hold a name or an ARN. */
function eventBusOf(props: NamingProperties | undefined): string | undefined {
  const bus = stringProperty(props, 'EventBusName');
  if (bus === undefined) return undefined;
  const name = bus.startsWith('arn:') ? bus.slice(bus.indexOf(':event-bus/') + ':event-bus/'.length) : bus;
  return name === 'default' ? undefined : name;
}

/** The 6-character suffix Secrets Manager appends to secret ARNs. */
function secretArn(env: LocalEnvironment, name: string): string {
  return arn(env, 'secretsmanager', `secret:${name}-${deterministicToken(`secret/${name}`, 6, MIXED_ALNUM)}`);
}

/**
 * The ARN of a resource from its local physical name (as returned by {@link localPhysicalName}).
 * Throws for types without an ARN (API Gateway resources, stages, ...).
 */
export function arnFor(type: string, name: string, env: LocalEnvironment, props?: NamingProperties): string {
  switch (type) {
    case 'AWS::DynamoDB::Table':
      return arn(env, 'dynamodb', `table/${name}`);
    case 'AWS::Lambda::Function':
      return arn(env, 'lambda', `function:${name}`);
    case 'AWS::Lambda::Version':
    case 'AWS::Lambda::Alias':
      return `${functionArn(env, props)}:${name}`;
    case 'AWS::Lambda::EventSourceMapping':
      return arn(env, 'lambda', `event-source-mapping:${name}`);
    case 'AWS::SQS::Queue':
      return arn(env, 'sqs', name);
    case 'AWS::SNS::Topic':
      return arn(env, 'sns', name);
    case 'AWS::Events::EventBus':
      return arn(env, 'events', `event-bus/${name}`);
    case 'AWS::Events::Archive':
      return arn(env, 'events', `archive/${name}`);
    case 'AWS::Events::Rule': {
      const bus = eventBusOf(props);
      return arn(env, 'events', bus ? `rule/${bus}/${name}` : `rule/${name}`);
    }
    case 'AWS::StepFunctions::StateMachine':
      return arn(env, 'states', `stateMachine:${name}`);
    case 'AWS::SecretsManager::Secret':
      return secretArn(env, name);
    case 'AWS::IAM::Role':
      return arn(env, 'iam', `role${iamPath(props)}${name}`, true);
    case 'AWS::IAM::ManagedPolicy':
      return arn(env, 'iam', `policy${iamPath(props)}${name}`, true);
    case 'AWS::Logs::LogGroup':
      return arn(env, 'logs', `log-group:${name}:*`);
    case 'AWS::ApiGateway::RestApi':
      return `arn:${env.partition}:apigateway:${env.region}::/restapis/${name}`;
    case 'AWS::SSM::Parameter':
      return arn(env, 'ssm', `parameter${name.startsWith('/') ? '' : '/'}${name}`);
    case 'AWS::KMS::Key':
      return arn(env, 'kms', `key/${name}`);
    case 'AWS::KMS::Alias':
      return arn(env, 'kms', name);
    case 'AWS::CloudWatch::Alarm':
      return arn(env, 'cloudwatch', `alarm:${name}`);
    case 'AWS::S3::Bucket':
      return `arn:${env.partition}:s3:::${name}`;
    case 'AWS::IAM::Policy':
    case 'AWS::ApiGateway::Resource':
    case 'AWS::ApiGateway::Deployment':
    case 'AWS::ApiGateway::Stage':
      throw new Error(`${type} has no ARN`);
    default: {
      // AWS::Service::Thing → arn:<partition>:service:<region>:<account>:thing/<name>
      const [, service = 'unknown', kind = 'resource'] = type.split('::');
      return arn(env, service.toLowerCase(), `${kind.toLowerCase()}/${name}`);
    }
  }
}

/** What `Ref` returns for a resource, from its local physical name. */
export function refFor(type: string, name: string, env: LocalEnvironment, props?: NamingProperties): string {
  switch (type) {
    case 'AWS::SQS::Queue':
      return queueUrl(name, env);
    case 'AWS::SNS::Topic':
    case 'AWS::StepFunctions::StateMachine':
    case 'AWS::SecretsManager::Secret':
    case 'AWS::IAM::ManagedPolicy':
    case 'AWS::Lambda::Version':
    case 'AWS::Lambda::Alias':
      return arnFor(type, name, env, props);
    case 'AWS::Events::Rule': {
      const bus = eventBusOf(props);
      return bus ? `${bus}|${name}` : name;
    }
    default:
      return name;
  }
}

/** `<sqsBaseUrl>/<queueName>`. */
export function queueUrl(name: string, env: LocalEnvironment): string {
  const base = env.sqsBaseUrl ?? `https://sqs.${env.region}.${urlSuffixOf(env)}/${env.accountId}`;
  return `${base.replace(/\/+$/, '')}/${name}`;
}

/**
 * What `Fn::GetAtt` returns for a resource, from its local physical name.
 * Throws for attributes the local runtime does not model.
 */
export function attributeFor(type: string, name: string, attribute: string, env: LocalEnvironment, props?: NamingProperties): AttributeValue {
  const seed = `${type}/${name}`;
  const unsupported = (): never => {
    throw new Error(`attribute ${attribute} of ${type} is not supported locally`);
  };
  // Arn is the common case; types without an ARN make arnFor throw.
  const common = (): string => (attribute === 'Arn' ? arnFor(type, name, env, props) : unsupported());
  switch (type) {
    case 'AWS::DynamoDB::Table':
      if (attribute === 'StreamArn') return `${arnFor(type, name, env)}/stream/1970-01-01T00:00:00.000`;
      return common();
    case 'AWS::Lambda::Version':
      return attribute === 'Version' ? name : attribute === 'FunctionArn' ? functionArn(env, props) : common();
    case 'AWS::Lambda::Alias':
      return attribute === 'AliasArn' ? arnFor(type, name, env, props) : common();
    case 'AWS::Lambda::EventSourceMapping':
      return attribute === 'Id' ? name : common();
    case 'AWS::SQS::Queue':
      if (attribute === 'QueueName') return name;
      if (attribute === 'QueueUrl') return queueUrl(name, env);
      return common();
    case 'AWS::SNS::Topic':
      if (attribute === 'TopicName') return name;
      if (attribute === 'TopicArn') return arnFor(type, name, env);
      return common();
    case 'AWS::Events::EventBus':
      return attribute === 'Name' ? name : common();
    case 'AWS::Events::Archive':
      return attribute === 'ArchiveName' ? name : common();
    case 'AWS::StepFunctions::StateMachine':
      return attribute === 'Name' ? name : common();
    case 'AWS::SecretsManager::Secret':
      return attribute === 'Id' || attribute === 'SecretArn' ? arnFor(type, name, env) : common();
    case 'AWS::IAM::Role':
      if (attribute === 'RoleId') return `AROA${deterministicToken(seed, 17)}`;
      return common();
    case 'AWS::IAM::ManagedPolicy':
      return attribute === 'PolicyArn' ? arnFor(type, name, env, props) : common();
    case 'AWS::ApiGateway::RestApi':
      if (attribute === 'RootResourceId') return deterministicToken(`${seed}/root`, 10, LOWER_ALNUM);
      if (attribute === 'RestApiId') return name;
      return unsupported();
    case 'AWS::ApiGateway::Resource':
      return attribute === 'ResourceId' ? name : unsupported();
    case 'AWS::ApiGateway::Deployment':
      return attribute === 'DeploymentId' ? name : unsupported();
    case 'AWS::SSM::Parameter':
      if (attribute === 'Type' || attribute === 'Value') {
        const value = stringProperty(props, attribute);
        if (value === undefined) throw new Error(`attribute ${attribute} of ${type} needs the resolved ${attribute} property`);
        return value;
      }
      return unsupported();
    case 'AWS::KMS::Key':
      return attribute === 'KeyId' ? name : common();
    case 'AWS::S3::Bucket':
      if (attribute === 'DomainName') return `${name}.s3.${urlSuffixOf(env)}`;
      if (attribute === 'RegionalDomainName') return `${name}.s3.${env.region}.${urlSuffixOf(env)}`;
      return common();
    default:
      return common();
  }
}

// ---------------------------------------------------------------- context

/** Options for {@link createLocalResolveContext}. */
export interface LocalStackOptions {
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly env: LocalEnvironment;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly availabilityZones?: readonly string[];
  importValue(exportName: string): string;
  ssmParameter(name: string): string;
  secretValue(secretIdOrArn: string, jsonKey?: string): string;
  /**
   * Consulted first for every `Fn::GetAtt`; return undefined to fall back to
   * {@link attributeFor} (e.g. to supply custom resources' attributes).
   */
  customAttribute?(logicalId: string, type: string, attribute: string): AttributeValue | undefined;
}

/** A {@link ResolveContext} whose resources get their local names from this module. */
export interface LocalStackContext extends ResolveContext {
  /** The resource's local physical name (a queue's name, not its URL; a secret's name, not its ARN). */
  localName(logicalId: string): string;
  /** The resource's resolved {@link NamingProperties}. */
  namingPropertiesOf(logicalId: string): NamingProperties;
}

/**
 * Builds the resolve context of one stack: `Ref`/`Fn::GetAtt` of its resources come
 * from {@link localPhysicalName}, {@link refFor} and {@link attributeFor}; explicit
 * names that are themselves intrinsics (e.g. `TableName: {Fn::Join: [...]}`) are
 * resolved lazily with the same context. Names are memoised per logical id.
 */
export function createLocalResolveContext(options: LocalStackOptions): LocalStackContext {
  const { stackName, template, env } = options;
  const names = new Map<string, string>();
  const props = new Map<string, NamingProperties>();
  const inProgress: string[] = [];

  const typeOf = (logicalId: string): string => {
    const resource = template.Resources?.[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in stack ${stackName}`);
    return resource.Type;
  };

  const context: LocalStackContext = {
    stackName,
    region: env.region,
    accountId: env.accountId,
    partition: env.partition,
    ...(env.urlSuffix === undefined ? {} : { urlSuffix: env.urlSuffix }),
    template,
    ...(options.parameters === undefined ? {} : { parameters: options.parameters }),
    ...(options.availabilityZones === undefined ? {} : { availabilityZones: options.availabilityZones }),

    namingPropertiesOf(logicalId) {
      const cached = props.get(logicalId);
      if (cached) return cached;
      const type = typeOf(logicalId);
      if (inProgress.includes(logicalId)) {
        throw new Error(`circular reference while naming ${[...inProgress, logicalId].join(' -> ')}`);
      }
      inProgress.push(logicalId);
      try {
        const raw = template.Resources?.[logicalId]?.Properties ?? {};
        const resolved: Record<string, unknown> = {};
        for (const key of namingProperties(type)) {
          if (raw[key] === undefined) continue;
          const value = resolveValue(raw[key], context, ['Resources', logicalId, 'Properties', key]);
          if (value !== undefined) resolved[key] = value;
        }
        props.set(logicalId, resolved);
        return resolved;
      } finally {
        inProgress.pop();
      }
    },

    localName(logicalId) {
      const cached = names.get(logicalId);
      if (cached !== undefined) return cached;
      const name = localPhysicalName(typeOf(logicalId), stackName, logicalId, context.namingPropertiesOf(logicalId));
      names.set(logicalId, name);
      return name;
    },

    physicalId(logicalId) {
      return refFor(typeOf(logicalId), context.localName(logicalId), env, context.namingPropertiesOf(logicalId));
    },

    attribute(logicalId, attribute) {
      const type = typeOf(logicalId);
      const custom = options.customAttribute?.(logicalId, type, attribute);
      if (custom !== undefined) return custom;
      return attributeFor(type, context.localName(logicalId), attribute, env, context.namingPropertiesOf(logicalId));
    },

    importValue: (exportName) => options.importValue(exportName),
    ssmParameter: (name) => options.ssmParameter(name),
    secretValue: (secretIdOrArn, jsonKey) => options.secretValue(secretIdOrArn, jsonKey),
  };
  return context;
}
