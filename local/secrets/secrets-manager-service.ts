/**
 * AWS Secrets Manager for the offline runtime: the app's `AWS::SecretsManager::Secret` resources
 * behind an AWS JSON 1.1 endpoint (`X-Amz-Target: secretsmanager.<Operation>`).
 *
 * Values come from a {@link SecretStore} (see ./secret-store for why the store exists before the
 * assembly, and how to share it with the assembly loader): a `SecretString` as given, or a value
 * generated once per run from `GenerateSecretString`. Each secret has a single version, current
 * for the whole run.
 *
 * Emulated: GetSecretValue (SecretId by ARN, name or partial ARN; VersionId / VersionStage of that
 * single version), DescribeSecret, ListSecrets; unknown secrets are `ResourceNotFoundException`.
 * Not emulated: writes (PutSecretValue, rotation, CreateSecret...), SecretBinary, resource
 * policies, replication, pagination.
 */
import { randomUUID } from 'node:crypto';

import { AwsServiceError, epochSeconds, optionalString, requiredString, startAwsJsonServer } from '../aws-json/aws-json-server';
import type { LocalAssembly, LogSink, RunningService } from '../types';
import { SECRET_TYPE, jsonKeyOf, matchesSecretId, secretNameOfArn, secretValueSource, type SecretStore } from './secret-store';

export { createSecretStore, type SecretStore, type SecretStoreOptions } from './secret-store';

export interface SecretsManagerOptions {
  readonly log: LogSink;
  /** The store the assembly loader used; without one, values are generated here (and may differ from the loader's). */
  readonly store?: SecretStore;
  /** Defaults to a free port. */
  readonly port?: number;
}

export interface RunningSecretsManager extends RunningService {
  readonly endpoint: string;
  /** A secret's SecretString (or one key of its JSON) by ARN, name or partial ARN; throws if unknown. */
  secretValue(secretIdOrArn: string, jsonKey?: string): string;
}

interface ServedSecret {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly versionId: string;
  /** Undefined for a secret created without a value. */
  readonly secretString: string | undefined;
}

const NOT_FOUND = "Secrets Manager can't find the specified secret.";

function loadSecrets(assembly: LocalAssembly, store: SecretStore | undefined, log: LogSink): ServedSecret[] {
  const secrets: ServedSecret[] = [];
  for (const resource of assembly.ofType(SECRET_TYPE)) {
    // Ref of a secret is its ARN.
    const arn = resource.arn ?? resource.ref;
    const name = typeof resource.properties.Name === 'string' ? resource.properties.Name : secretNameOfArn(arn);
    let secretString = store?.valueOf(resource.stackName, resource.logicalId);
    if (secretString === undefined) {
      const source = secretValueSource(resource.properties);
      if (source.kind === 'unresolved') {
        log(`secret ${name} (${resource.stackName}/${resource.logicalId}) has no usable value: ${source.reason}`);
      } else if (source.kind === 'value') {
        try {
          secretString = source.value();
        } catch (error) {
          log(`secret ${name} (${resource.stackName}/${resource.logicalId}) has no value: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    const description = resource.properties.Description;
    secrets.push({
      name,
      arn,
      ...(typeof description === 'string' ? { description } : {}),
      versionId: randomUUID(),
      secretString,
    });
  }
  return secrets;
}

export async function startSecretsManager(assembly: LocalAssembly, options: SecretsManagerOptions): Promise<RunningSecretsManager> {
  const secrets = loadSecrets(assembly, options.store, options.log);
  const created = new Date();

  const find = (secretId: string): ServedSecret | undefined => secrets.find((secret) => matchesSecretId(secret, secretId));
  const mustFind = (secretId: string): ServedSecret => {
    const secret = find(secretId);
    if (secret === undefined) throw new AwsServiceError('ResourceNotFoundException', NOT_FOUND);
    return secret;
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    log: options.log,
    ...(options.port === undefined ? {} : { port: options.port }),
    operations: {
      GetSecretValue: (input) => {
        const secret = mustFind(requiredString(input, 'SecretId'));
        const versionId = optionalString(input, 'VersionId');
        const stage = optionalString(input, 'VersionStage');
        if (versionId !== undefined && versionId !== secret.versionId) {
          throw new AwsServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
        }
        if ((stage !== undefined && stage !== 'AWSCURRENT') || secret.secretString === undefined) {
          throw new AwsServiceError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${stage ?? 'AWSCURRENT'}`);
        }
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          SecretString: secret.secretString,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: epochSeconds(created),
        };
      },
      DescribeSecret: (input) => {
        const secret = mustFind(requiredString(input, 'SecretId'));
        return {
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.description === undefined ? {} : { Description: secret.description }),
          CreatedDate: epochSeconds(created),
          LastChangedDate: epochSeconds(created),
          VersionIdsToStages: secret.secretString === undefined ? {} : { [secret.versionId]: ['AWSCURRENT'] },
        };
      },
      ListSecrets: () => ({
        SecretList: secrets.map((secret) => ({
          ARN: secret.arn,
          Name: secret.name,
          ...(secret.description === undefined ? {} : { Description: secret.description }),
          CreatedDate: epochSeconds(created),
        })),
      }),
    },
  });
  options.log(`Secrets Manager on ${server.endpoint}: ${secrets.length} secret(s)`);

  return {
    endpoint: server.endpoint,
    secretValue(secretIdOrArn, jsonKey) {
      const secret = find(secretIdOrArn);
      if (secret === undefined) throw new Error(`no secret ${secretIdOrArn}`);
      if (secret.secretString === undefined) throw new Error(`secret ${secret.name} has no value`);
      return jsonKey === undefined ? secret.secretString : jsonKeyOf(secret.secretString, jsonKey, secret.name);
    },
    stop: () => server.stop(),
  };
}
