/**
 * What the local Lambda service needs to know about each `AWS::Lambda::Function` of the app:
 * read once from the resolved assembly, so invocations never look at template shapes again.
 */
import { assetDirectory } from '../cloudformation/assembly';
import type { LocalAssembly, LocalResource } from '../types';

/** Lambda's defaults when the template leaves them out. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_MAX_RETRY_ATTEMPTS = 2;
const DEFAULT_MAX_EVENT_AGE_SECONDS = 21_600;

/** How asynchronous invocations of a function are retried and where their outcome goes. */
export interface AsyncInvokeConfig {
  /** 0 to 2 (`AWS::Lambda::EventInvokeConfig` MaximumRetryAttempts). */
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeSeconds: number;
  /** ARN of the on-failure destination (SQS, SNS, Lambda or EventBridge). */
  readonly onFailure?: string;
  readonly onSuccess?: string;
}

/** Where the function's code is: a bundled asset directory, inline source, or a reason it has none. */
export type FunctionCode =
  | { readonly kind: 'directory'; readonly directory: string }
  | { readonly kind: 'inline'; readonly source: string }
  | { readonly kind: 'missing'; readonly reason: string };

export interface FunctionDefinition {
  readonly resource: LocalResource;
  /** The function name (what `Ref` returns). */
  readonly name: string;
  readonly arn: string;
  /** Log prefix: the logical id without the CDK hash suffix (`Register`), stack-qualified if ambiguous. */
  readonly shortName: string;
  /** e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly logGroupName: string;
  /** The template's `Environment.Variables`, as strings. */
  readonly variables: Readonly<Record<string, string>>;
  readonly code: FunctionCode;
  readonly deadLetterTargetArn?: string;
  readonly asyncConfig: AsyncInvokeConfig;
  /** ReservedConcurrentExecutions, when set. */
  readonly reservedConcurrency?: number;
}

function recordOf(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** CloudFormation accepts numbers as strings too (`"30"`). */
function numberOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** `Register34FE4340` → `Register`: CDK appends 8 hex digits of a path hash to every logical id. */
export function logicalIdWithoutHash(logicalId: string): string {
  const stripped = logicalId.replace(/[0-9A-F]{8}$/, '');
  return stripped === '' ? logicalId : stripped;
}

function variablesOf(properties: Readonly<Record<string, unknown>>): Record<string, string> {
  const variables = recordOf(recordOf(properties.Environment)?.Variables) ?? {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) {
    // CloudFormation would reject non-string values; coerce scalars rather than fail the whole app.
    if (value !== undefined && value !== null) out[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/** A deployed address the resolved templates hold, and the local service standing in for it. */
export interface LocalAddress {
  /** e.g. an API stage's URL, `https://<api id>.execute-api.<region>.amazonaws.com/<stage>`. */
  readonly deployed: string;
  /** e.g. the offline gateway, `http://127.0.0.1:3000`, which serves that stage at its root. */
  readonly local: string;
}

function localized(value: string, addresses: readonly LocalAddress[]): string {
  for (const { deployed, local } of addresses) {
    const base = deployed.replace(/\/+$/, '');
    if (value === base) return local;
    // Whole path segments only: `.../dev/users` is under `.../dev`, `.../devices` is not.
    if (value.startsWith(`${base}/`)) return `${local.replace(/\/+$/, '')}${value.slice(base.length)}`;
  }
  return value;
}

/**
 * `variables` with every value that is a deployed address, or a URL under it, pointing at its
 * local stand-in instead: offline the runtime is the deployer, so it hands functions the
 * addresses of its own services, as a deployment hands them the real ones.
 */
export function withLocalAddresses(
  variables: Readonly<Record<string, string>>,
  addresses: readonly LocalAddress[],
): Record<string, string> {
  return Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, localized(value, addresses)]));
}

function codeOf(assembly: LocalAssembly, resource: LocalResource): FunctionCode {
  const inline = stringOf(recordOf(resource.properties.Code)?.ZipFile);
  if (inline !== undefined) return { kind: 'inline', source: inline };
  try {
    return { kind: 'directory', directory: assetDirectory(assembly, resource) };
  } catch (error) {
    return { kind: 'missing', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The last part of the function ARN or name a `FunctionName` property holds (`name`, `name:qualifier`, ARN). */
function functionNameIn(value: string): string {
  if (value.startsWith('arn:')) return value.split(':')[6] ?? value;
  return value.split(':')[0] ?? value;
}

function asyncConfigFor(assembly: LocalAssembly, name: string): AsyncInvokeConfig {
  const configs = assembly
    .ofType('AWS::Lambda::EventInvokeConfig')
    .filter((config) => {
      const target = stringOf(config.properties.FunctionName);
      return target !== undefined && functionNameIn(target) === name;
    });
  // Versions and aliases are not modelled: prefer the $LATEST config, else take any.
  const config = configs.find((candidate) => candidate.properties.Qualifier === '$LATEST') ?? configs[0];
  const properties = config?.properties ?? {};
  const destinations = recordOf(properties.DestinationConfig);
  const onFailure = stringOf(recordOf(destinations?.OnFailure)?.Destination);
  const onSuccess = stringOf(recordOf(destinations?.OnSuccess)?.Destination);
  return {
    maximumRetryAttempts: Math.min(2, Math.max(0, numberOf(properties.MaximumRetryAttempts) ?? DEFAULT_MAX_RETRY_ATTEMPTS)),
    maximumEventAgeSeconds: numberOf(properties.MaximumEventAgeInSeconds) ?? DEFAULT_MAX_EVENT_AGE_SECONDS,
    ...(onFailure === undefined ? {} : { onFailure }),
    ...(onSuccess === undefined ? {} : { onSuccess }),
  };
}

/** Every function of the assembly, ready to run. */
export function readFunctionDefinitions(assembly: LocalAssembly): FunctionDefinition[] {
  const resources = assembly.ofType('AWS::Lambda::Function');
  const shortCounts = new Map<string, number>();
  for (const resource of resources) {
    const short = logicalIdWithoutHash(resource.logicalId);
    shortCounts.set(short, (shortCounts.get(short) ?? 0) + 1);
  }
  return resources.map((resource) => {
    const { properties } = resource;
    const name = resource.ref;
    const short = logicalIdWithoutHash(resource.logicalId);
    // Two stacks may each have e.g. an `OutboxFunction`: name the stack (its last dash-part) then.
    const stackPart = resource.stackName.split('-').pop() ?? resource.stackName;
    const shortName = (shortCounts.get(short) ?? 0) > 1 ? `${stackPart}/${short}` : short;
    const deadLetterTargetArn = stringOf(recordOf(properties.DeadLetterConfig)?.TargetArn);
    const reservedConcurrency = numberOf(properties.ReservedConcurrentExecutions);
    return {
      resource,
      name,
      arn: resource.arn ?? `arn:aws:lambda:${assembly.region}:${assembly.accountId}:function:${name}`,
      shortName,
      handler: stringOf(properties.Handler) ?? 'index.handler',
      runtime: stringOf(properties.Runtime) ?? 'nodejs24.x',
      timeoutSeconds: numberOf(properties.Timeout) ?? DEFAULT_TIMEOUT_SECONDS,
      memoryMb: numberOf(properties.MemorySize) ?? DEFAULT_MEMORY_MB,
      logGroupName: stringOf(recordOf(properties.LoggingConfig)?.LogGroup) ?? `/aws/lambda/${name}`,
      variables: variablesOf(properties),
      code: codeOf(assembly, resource),
      ...(deadLetterTargetArn === undefined ? {} : { deadLetterTargetArn }),
      asyncConfig: asyncConfigFor(assembly, name),
      ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
    };
  });
}

/**
 * The function a `FunctionName` of the Invoke API (or a caller) means: a name, a full or partial
 * ARN, optionally qualified (`name:alias`, `arn:...:function:name:$LATEST`), or the ref/ARN of a
 * version or alias resource of the app. Qualifiers are accepted and ignored: only $LATEST exists locally.
 */
export function findFunction(
  assembly: LocalAssembly,
  byName: ReadonlyMap<string, FunctionDefinition>,
  functionNameOrArn: string,
): FunctionDefinition | undefined {
  const direct = byName.get(functionNameOrArn);
  if (direct) return direct;
  const resource = assembly.find(functionNameOrArn);
  if (resource?.type === 'AWS::Lambda::Function') return byName.get(resource.ref);
  if (resource?.type === 'AWS::Lambda::Alias' || resource?.type === 'AWS::Lambda::Version') {
    const target = stringOf(resource.properties.FunctionName);
    if (target !== undefined) return byName.get(functionNameIn(target));
  }
  const parts = functionNameOrArn.split(':');
  // arn:aws:lambda:region:account:function:name[:qualifier] | account:function:name[:qualifier] | name[:qualifier]
  const name = parts[0] === 'arn' ? parts[6] : parts[1] === 'function' ? parts[2] : parts[0];
  return name === undefined ? undefined : byName.get(name);
}
