import { hkdfSync } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { sdkClient } from './aws-clients';
import { ENV } from './environment';

/**
 * Keys derived from the platform's one generated secret: one for access tokens, one for
 * pagination cursors. Separate derivations (HKDF, distinct labels) mean a cursor signature can
 * never be replayed as a token signature.
 */
export interface SigningKeys {
  readonly accessToken: Buffer;
  readonly cursor: Buffer;
}

export function deriveSigningKeys(secret: string): SigningKeys {
  const derive = (label: string) => Buffer.from(hkdfSync('sha256', secret, '', `commerce/${label}/v1`, 32));
  return { accessToken: derive('access-token'), cursor: derive('cursor') };
}

/** Fails the cold start of a function that needs the keys but was deployed without the secret. */
export function assertSigningSecretConfigured(env: NodeJS.ProcessEnv = process.env): void {
  if (!env[ENV.signingSecretArn]) throw new Error(`Invalid function configuration: ${ENV.signingSecretArn} is not set`);
}

const secretsClient = /* @__PURE__ */ sdkClient(SecretsManagerClient, {});
let loading: Promise<SigningKeys> | undefined;

/** Read once per execution environment; a failed read is retried by the next invocation. */
export function signingKeys(): Promise<SigningKeys> {
  loading ??= loadSigningKeys().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function loadSigningKeys(): Promise<SigningKeys> {
  assertSigningSecretConfigured();
  const { SecretString } = await secretsClient().send(new GetSecretValueCommand({ SecretId: process.env[ENV.signingSecretArn] }));
  if (!SecretString) throw new Error('The signing secret has no string value');
  return deriveSigningKeys(SecretString);
}
