/**
 * The values of the app's Secrets Manager secrets for one run, available before the assembly is
 * resolved.
 *
 * Why two steps: resolving the templates into a LocalAssembly (local/cloudformation/assembly.ts)
 * already needs secret values, for `{{resolve:secretsmanager:<id>:SecretString:<key>}}` dynamic
 * references; the Secrets Manager endpoint (./secrets-manager-service.ts) needs the assembly. Both
 * must see the same generated value, so:
 *
 * 1. `createSecretStore({ environment, stacks })` reads the `AWS::SecretsManager::Secret` resources
 *    of the *unresolved* templates. A secret's name and ARN are pure functions of the stack name,
 *    the logical id and the `Name` property (local/cloudformation/physical-names.ts: `<LogicalId>-
 *    <12 chars>` when unnamed, ARN `…:secret:<name>-<6 chars>`), so the store can answer by ARN,
 *    name or partial ARN before anything is resolved. Values are generated on first use, once
 *    per run, and kept by stack and logical id. Give the loader `store.secretValue` as its
 *    `secretValue` option.
 * 2. `startSecretsManager(assembly, { store })` serves the assembly's secrets under the resolved
 *    ARNs, taking each value from the store by stack and logical id.
 *
 * Limits: a secret whose `Name`, `SecretString` or `GenerateSecretString` holds intrinsics cannot be
 * named or valued from the raw template; the store says so if it is referenced dynamically, and the
 * server then uses the resolved properties instead.
 */
import { containsIntrinsic, type CfnTemplate } from '../cloudformation/intrinsics';
import { arnFor, localPhysicalName, type LocalEnvironment } from '../cloudformation/physical-names';
import { generateSecretString, type GenerateSecretStringSpec } from './generate-secret-string';

export const SECRET_TYPE = 'AWS::SecretsManager::Secret';

export interface StackTemplate {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

export interface SecretStoreOptions {
  /** The same environment the assembly loader names resources with. */
  readonly environment: Pick<LocalEnvironment, 'region' | 'accountId' | 'partition'>;
  readonly stacks: readonly StackTemplate[];
}

export interface SecretStore {
  /**
   * The SecretString of a secret (by ARN, name or partial ARN), or with `jsonKey` that key of its
   * JSON; the `secretValue` callback of the assembly loader. Throws when there is no such secret.
   */
  secretValue(secretIdOrArn: string, jsonKey?: string): string;
  /**
   * The value of the secret `logicalId` of `stackName`, generated on first use; undefined when
   * the raw template does not say (no value, or intrinsics in it).
   */
  valueOf(stackName: string, logicalId: string): string | undefined;
}

/** Something that can be found by a SecretId. */
export interface SecretIdentity {
  readonly name: string;
  readonly arn: string;
}

/**
 * Whether `secretId` designates the secret: its ARN, its name, or its partial ARN (the ARN without
 * the `-XXXXXX` suffix Secrets Manager appends), as GetSecretValue accepts.
 */
export function matchesSecretId(secret: SecretIdentity, secretId: string): boolean {
  if (secretId === secret.arn || secretId === secret.name) return true;
  return secretId.startsWith('arn:') && secret.arn.length === secretId.length + 7 && secret.arn.startsWith(`${secretId}-`);
}

/** The name inside a secret ARN: `…:secret:<name>-XXXXXX` → `<name>`. */
export function secretNameOfArn(arn: string): string {
  const marker = ':secret:';
  const start = arn.indexOf(marker);
  const resource = start === -1 ? arn : arn.slice(start + marker.length);
  return /-[A-Za-z0-9]{6}$/.test(resource) ? resource.slice(0, -7) : resource;
}

/** One key of a JSON SecretString, as `{{resolve:secretsmanager:…:SecretString:<key>}}` reads it. */
export function jsonKeyOf(secretString: string, jsonKey: string, secretName: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new Error(`secret ${secretName} is not a JSON object, so it has no key ${jsonKey}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`secret ${secretName} is not a JSON object, so it has no key ${jsonKey}`);
  }
  const value = (parsed as Record<string, unknown>)[jsonKey];
  if (value === undefined) throw new Error(`secret ${secretName} has no key ${jsonKey}`);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** What a secret's (resolved or raw) properties say its value is. */
export type SecretValueSource =
  | { readonly kind: 'value'; readonly value: () => string }
  | { readonly kind: 'empty' }
  | { readonly kind: 'unresolved'; readonly reason: string };

/** Reads `SecretString` / `GenerateSecretString`; generation is deferred to the first call. */
export function secretValueSource(properties: Readonly<Record<string, unknown>>): SecretValueSource {
  const { SecretString: secretString, GenerateSecretString: generate } = properties;
  if (secretString !== undefined && generate !== undefined) {
    return { kind: 'unresolved', reason: 'it sets both SecretString and GenerateSecretString' };
  }
  if (secretString !== undefined) {
    if (typeof secretString === 'string' && !containsIntrinsic(secretString)) return { kind: 'value', value: () => secretString };
    return { kind: 'unresolved', reason: 'its SecretString is computed by intrinsic functions' };
  }
  if (generate !== undefined) {
    if (typeof generate !== 'object' || generate === null || Array.isArray(generate)) {
      return { kind: 'unresolved', reason: 'its GenerateSecretString is not an object' };
    }
    if (containsIntrinsic(generate)) return { kind: 'unresolved', reason: 'its GenerateSecretString uses intrinsic functions' };
    const spec = generate as GenerateSecretStringSpec;
    return { kind: 'value', value: () => generateSecretString(spec) };
  }
  return { kind: 'empty' };
}

interface Declared extends SecretIdentity {
  readonly key: string;
  readonly source: SecretValueSource;
}

export function createSecretStore(options: SecretStoreOptions): SecretStore {
  const values = new Map<string, string>();
  let declared: Map<string, Declared> | undefined;
  let named: Declared[] | undefined;

  // Indexed on first use: the loader may create the store before it has built anything else.
  const index = (): Map<string, Declared> => {
    if (declared) return declared;
    declared = new Map();
    named = [];
    for (const { stackName, template } of options.stacks) {
      for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
        if (resource.Type !== SECRET_TYPE) continue;
        const properties = resource.Properties ?? {};
        const key = `${stackName}/${logicalId}`;
        const explicitName = properties.Name;
        const name =
          explicitName === undefined
            ? localPhysicalName(SECRET_TYPE, stackName, logicalId)
            : typeof explicitName === 'string' && !containsIntrinsic(explicitName)
              ? explicitName
              : undefined;
        const entry: Declared = {
          key,
          name: name ?? '',
          arn: name === undefined ? '' : arnFor(SECRET_TYPE, name, options.environment),
          source: secretValueSource(properties),
        };
        declared.set(key, entry);
        if (name !== undefined) named.push(entry);
      }
    }
    return declared;
  };

  const valueOfEntry = (entry: Declared): string | undefined => {
    if (entry.source.kind !== 'value') return undefined;
    let value = values.get(entry.key);
    if (value === undefined) {
      value = entry.source.value();
      values.set(entry.key, value);
    }
    return value;
  };

  return {
    secretValue(secretIdOrArn, jsonKey) {
      index();
      const entry = (named ?? []).find((candidate) => matchesSecretId(candidate, secretIdOrArn));
      if (entry === undefined) {
        throw new Error(`no secret ${secretIdOrArn}: locally only the app's own ${SECRET_TYPE} resources (with literal names) exist`);
      }
      const { source } = entry;
      if (source.kind === 'unresolved') throw new Error(`secret ${entry.name} cannot be read before the app is resolved: ${source.reason}`);
      if (source.kind === 'empty') throw new Error(`secret ${entry.name} has no value (neither SecretString nor GenerateSecretString)`);
      const value = valueOfEntry(entry) ?? '';
      return jsonKey === undefined ? value : jsonKeyOf(value, jsonKey, entry.name);
    },

    valueOf(stackName, logicalId) {
      const entry = index().get(`${stackName}/${logicalId}`);
      return entry === undefined ? undefined : valueOfEntry(entry);
    },
  };
}
