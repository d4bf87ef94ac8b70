/**
 * Loads a synthesized cloud assembly (`cdk.out`) and resolves every stack into one
 * {@link LocalAssembly}: the app's resources with local names, ARNs and plain JSON properties.
 *
 * Stacks are resolved in deployment order, the way CloudFormation would see them: an
 * `Fn::ImportValue` is answered by the exports of the stacks deployed before (CDK makes the
 * consumer depend on the producer), SSM lookups by the app's own `AWS::SSM::Parameter`
 * resources, secrets by the caller.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';

import type { LocalAssembly, LocalResource } from '../types';
import {
  IntrinsicError, isResourceEnabled, resolveExports, resolveOutputs, resolveResourceProperties, resolveValue, type CfnTemplate,
} from './intrinsics';
import { arnFor, createLocalResolveContext, SUPPORTED_TYPES, type LocalEnvironment, type LocalStackContext } from './physical-names';

export interface LoadAssemblyOptions {
  /** Defaults to `us-east-1`. */
  readonly region?: string;
  /** Defaults to `000000000000` (the account the local emulators answer for). */
  readonly accountId?: string;
  /** The SQS emulator's endpoint, e.g. `http://127.0.0.1:9324`: queue URLs are `<sqsBaseUrl>/<accountId>/<queueName>`. */
  readonly sqsBaseUrl: string;
  /** A secret's SecretString (or one key of it) for `{{resolve:secretsmanager:...}}` references. */
  secretValue(secretArn: string, jsonKey?: string): string;
}

const DEFAULT_REGION = 'us-east-1';
const DEFAULT_ACCOUNT = '000000000000';
const PARTITION = 'aws';
/** AWS::URLSuffix offline: what execute-api and other service URLs in the resolved templates end with. */
export const URL_SUFFIX = 'amazonaws.com';

/** Stack templates synthesized with the default synthesizer check this parameter against their minimum version. */
const BOOTSTRAP_VERSION_PARAMETER = /^\/cdk-bootstrap\/[^/]+\/version$/;
/** A recent bootstrap version: satisfies every `CheckBootstrapVersion` rule CDK emits. */
const BOOTSTRAP_VERSION = '30';

/** Types of {@link SUPPORTED_TYPES} for which arnFor throws, because AWS gives them no ARN. */
const TYPES_WITHOUT_ARN = new Set([
  'AWS::IAM::Policy',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
]);
const TYPES_WITH_ARN = new Set(SUPPORTED_TYPES.filter((type) => !TYPES_WITHOUT_ARN.has(type)));

// ------------------------------------------------------------ the manifest

const manifestSchema = z.object({
  artifacts: z
    .record(
      z.string(),
      z.object({
        type: z.string(),
        dependencies: z.array(z.string()).optional(),
        properties: z
          .object({
            templateFile: z.string().optional(),
            stackName: z.string().optional(),
            parameters: z.record(z.string(), z.string()).optional(),
          })
          .optional(),
      }),
    )
    .default({}),
});

export interface StackArtifact {
  readonly artifactId: string;
  readonly stackName: string;
  readonly dependencies: readonly string[];
  readonly template: CfnTemplate;
  readonly parameters?: Readonly<Record<string, string>>;
}

function readJson(file: string, what: string): unknown {
  if (!existsSync(file)) throw new Error(`${what} not found: ${file}`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`${what} ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Every stack of the cloud assembly with its raw template, in manifest order. */
export function readStackArtifacts(directory: string): StackArtifact[] {
  const manifestFile = path.join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`no manifest.json in ${directory}: synthesize the app first (cdk synth)`);
  const parsed = manifestSchema.safeParse(readJson(manifestFile, 'cloud assembly manifest'));
  if (!parsed.success) throw new Error(`unexpected cloud assembly manifest ${manifestFile}: ${z.prettifyError(parsed.error)}`);

  const stacks: StackArtifact[] = [];
  for (const [artifactId, artifact] of Object.entries(parsed.data.artifacts)) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = artifact.properties?.templateFile;
    if (templateFile === undefined) throw new Error(`stack artifact ${artifactId} of ${manifestFile} has no templateFile`);
    const template = readJson(path.resolve(directory, templateFile), `template of stack ${artifactId}`);
    if (typeof template !== 'object' || template === null || Array.isArray(template)) {
      throw new Error(`template ${templateFile} of stack ${artifactId} is not a JSON object`);
    }
    const parameters = artifact.properties?.parameters;
    stacks.push({
      artifactId,
      // The CLI's rule: the artifact id is the stack name unless the manifest says otherwise.
      stackName: artifact.properties?.stackName ?? artifactId,
      dependencies: artifact.dependencies ?? [],
      template: template as CfnTemplate,
      ...(parameters === undefined ? {} : { parameters }),
    });
  }
  return stacks;
}

/** Dependencies first; otherwise the manifest's order (which is CDK's construct order). */
function deploymentOrder(stacks: readonly StackArtifact[]): StackArtifact[] {
  const byId = new Map(stacks.map((stack) => [stack.artifactId, stack]));
  const ordered: StackArtifact[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (stack: StackArtifact, chain: readonly string[]): void => {
    const seen = state.get(stack.artifactId);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`circular stack dependencies: ${[...chain, stack.artifactId].join(' -> ')}`);
    state.set(stack.artifactId, 'visiting');
    // Dependencies on other artifact kinds (asset manifests) do not order stacks.
    for (const dependency of stack.dependencies) {
      const other = byId.get(dependency);
      if (other) visit(other, [...chain, stack.artifactId]);
    }
    state.set(stack.artifactId, 'done');
    ordered.push(stack);
  };
  for (const stack of stacks) visit(stack, []);
  return ordered;
}

// -------------------------------------------------------------- resolution

/** Rethrows a naming failure (a plain Error from physical-names) with the stack and logical id. */
function located<T>(context: LocalStackContext, logicalId: string, what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof IntrinsicError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new IntrinsicError(context, ['Resources', logicalId], `${what}: ${message}`, { cause: error });
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return String(value);
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** The SSM parameters the app itself creates, by name, indexed on first use. */
function createSsmParameters(contexts: readonly LocalStackContext[]): (name: string) => string {
  let index: Map<string, () => string> | undefined;
  let indexing = false;

  const build = (): Map<string, () => string> => {
    const found = new Map<string, () => string>();
    for (const context of contexts) {
      for (const [logicalId, resource] of Object.entries(context.template.Resources ?? {})) {
        if (resource.Type !== 'AWS::SSM::Parameter' || !isResourceEnabled(logicalId, context)) continue;
        // Resolve just the name when it is explicit: the value may itself need an SSM lookup.
        const rawName = resource.Properties?.Name;
        const name =
          rawName === undefined
            ? context.localName(logicalId)
            : resolveValue(rawName, context, ['Resources', logicalId, 'Properties', 'Name']);
        if (typeof name !== 'string') {
          throw new IntrinsicError(context, ['Resources', logicalId, 'Properties', 'Name'], `SSM parameter name must be a string, got ${describe(name)}`);
        }
        if (found.has(name)) continue;
        found.set(name, () => {
          const value = context.namingPropertiesOf(logicalId).Value;
          if (typeof value !== 'string') {
            throw new IntrinsicError(context, ['Resources', logicalId, 'Properties', 'Value'], `SSM parameter value must be a string, got ${describe(value)}`);
          }
          return value;
        });
      }
    }
    return found;
  };

  return (name) => {
    if (BOOTSTRAP_VERSION_PARAMETER.test(name)) return BOOTSTRAP_VERSION;
    if (index === undefined) {
      if (indexing) throw new Error(`SSM parameter ${name} is needed to name the app's own SSM parameters`);
      indexing = true;
      try {
        index = build();
      } finally {
        indexing = false;
      }
    }
    const value = index.get(name);
    if (value === undefined) {
      throw new Error(`no SSM parameter ${name}: locally only the app's own AWS::SSM::Parameter resources and the CDK bootstrap version exist`);
    }
    return value();
  };
}

function stringOutput(context: LocalStackContext, outputId: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new IntrinsicError(context, ['Outputs', outputId, 'Value'], `an output value must be a string, got ${describe(value)}`);
}

/** `arn:…:function:name:qualifier` → `arn:…:function:name`; `name:qualifier` → `name`; `123456789012:function:name` → full ARN. */
function unqualifiedFunction(nameOrArn: string, environment: LocalEnvironment): string | undefined {
  const full = /^(arn:[^:]+:lambda:[^:]*:\d{12}:function:[^:]+):[^:]+$/.exec(nameOrArn);
  if (full) return full[1];
  const partial = /^(\d{12}):function:([^:]+)(?::[^:]+)?$/.exec(nameOrArn);
  if (partial) return `arn:${environment.partition}:lambda:${environment.region}:${partial[1]}:function:${partial[2]}`;
  const name = /^([^:]+):[^:]+$/.exec(nameOrArn);
  return name ? name[1] : undefined;
}

/**
 * Reads `<directory>/manifest.json` and the templates of its stacks, and resolves every resource
 * and output. Throws an {@link IntrinsicError} naming the stack and logical id for anything that
 * cannot be resolved locally.
 */
export function loadAssembly(directory: string, options: LoadAssemblyOptions): LocalAssembly {
  const root = path.resolve(directory);
  const region = options.region ?? DEFAULT_REGION;
  const accountId = options.accountId ?? DEFAULT_ACCOUNT;
  const environment: LocalEnvironment = {
    region,
    accountId,
    partition: PARTITION,
    urlSuffix: URL_SUFFIX,
    // physical-names builds queue URLs as `<sqsBaseUrl>/<queueName>`, the account being part of the base.
    sqsBaseUrl: `${options.sqsBaseUrl.replace(/\/+$/, '')}/${accountId}`,
  };
  const stacks = deploymentOrder(readStackArtifacts(root));

  const exportsCache = new Map<number, ReadonlyMap<string, string>>();
  const exportsOf = (index: number): ReadonlyMap<string, string> => {
    let exported = exportsCache.get(index);
    if (exported === undefined) {
      const context = contexts[index];
      if (context === undefined) throw new Error(`no stack #${index}`);
      exported = resolveExports(context);
      exportsCache.set(index, exported);
    }
    return exported;
  };

  const contexts: LocalStackContext[] = stacks.map((stack, position) =>
    createLocalResolveContext({
      stackName: stack.stackName,
      template: stack.template,
      env: environment,
      ...(stack.parameters === undefined ? {} : { parameters: stack.parameters }),
      importValue: (exportName) => {
        // CloudFormation only sees exports of stacks already deployed, i.e. earlier in the order.
        for (let earlier = 0; earlier < position; earlier++) {
          const value = exportsOf(earlier).get(exportName);
          if (value !== undefined) return value;
        }
        throw new Error(`no stack deployed before ${stack.stackName} exports ${exportName}`);
      },
      ssmParameter: (name) => ssmParameter(name),
      secretValue: (secretArn, jsonKey) => options.secretValue(secretArn, jsonKey),
    }),
  );
  const ssmParameter = createSsmParameters(contexts);

  const resources: LocalResource[] = [];
  const outputs: Record<string, Record<string, string>> = {};
  contexts.forEach((context) => {
    for (const [logicalId, resource] of Object.entries(context.template.Resources ?? {})) {
      if (resource.Type === 'AWS::CDK::Metadata' || !isResourceEnabled(logicalId, context)) continue;
      const ref = resolveValue({ Ref: logicalId }, context, ['Resources', logicalId]);
      if (typeof ref !== 'string') {
        throw new IntrinsicError(context, ['Resources', logicalId], `Ref must be a string, got ${describe(ref)}`);
      }
      const arn = TYPES_WITH_ARN.has(resource.Type)
        ? located(context, logicalId, 'ARN', () =>
            arnFor(resource.Type, context.localName(logicalId), environment, context.namingPropertiesOf(logicalId)),
          )
        : undefined;
      resources.push({
        stackName: context.stackName,
        logicalId,
        type: resource.Type,
        ref,
        ...(arn === undefined ? {} : { arn }),
        properties: resolveResourceProperties(logicalId, context),
        metadata: resource.Metadata ?? {},
      });
    }
    const stackOutputs: Record<string, string> = {};
    for (const [outputId, output] of Object.entries(resolveOutputs(context))) {
      stackOutputs[outputId] = stringOutput(context, outputId, output.value);
    }
    outputs[context.stackName] = stackOutputs;
  });

  const byRefOrArn = new Map<string, LocalResource>();
  for (const resource of resources) {
    if (!byRefOrArn.has(resource.ref)) byRefOrArn.set(resource.ref, resource);
    if (resource.arn !== undefined && !byRefOrArn.has(resource.arn)) byRefOrArn.set(resource.arn, resource);
  }

  return {
    region,
    accountId,
    resources,
    outputs,
    directory: root,
    ofType: (type) => resources.filter((resource) => resource.type === type),
    find: (refOrArn) => {
      const exact = byRefOrArn.get(refOrArn);
      if (exact) return exact;
      // Lambda accepts qualified names and ARNs (`:$LATEST`, a version, an alias) for the function itself.
      const unqualified = unqualifiedFunction(refOrArn, environment);
      const fn = unqualified === undefined ? undefined : byRefOrArn.get(unqualified);
      return fn?.type === 'AWS::Lambda::Function' ? fn : undefined;
    },
  };
}

// ------------------------------------------------------------------ assets

function isDirectory(candidate: string): boolean {
  return existsSync(candidate) && statSync(candidate).isDirectory();
}

/**
 * The absolute directory of a Lambda function's bundled code: the `aws:asset:path` metadata the
 * CDK CLI asks for, else (in-process synths omit that metadata) the `asset.<hash>` directory
 * whose hash names the `Code.S3Key` object.
 */
export function assetDirectory(assembly: LocalAssembly, resource: LocalResource): string {
  const where = `${resource.stackName}/${resource.logicalId} (${resource.type})`;
  const assetPath = resource.metadata['aws:asset:path'];
  if (typeof assetPath === 'string') {
    const directory = path.resolve(assembly.directory, assetPath);
    if (!isDirectory(directory)) throw new Error(`asset of ${where} is not a directory: ${directory}`);
    return directory;
  }
  const code = resource.properties.Code;
  const key = typeof code === 'object' && code !== null ? (code as Record<string, unknown>).S3Key : undefined;
  if (typeof key !== 'string') throw new Error(`${where} has no asset: neither aws:asset:path metadata nor a Code.S3Key`);
  const hash = /^(?:.*\/)?([0-9a-f]{64})\.zip$/.exec(key)?.[1];
  if (hash === undefined) throw new Error(`${where} has Code.S3Key ${key}, which does not name a CDK asset (<hash>.zip)`);
  const directory = path.join(assembly.directory, `asset.${hash}`);
  if (!isDirectory(directory)) throw new Error(`asset of ${where} not found: no directory ${directory}`);
  return directory;
}
