/**
 * The parts of `scripts/localstack.ts` that need no LocalStack: where its health endpoint is,
 * whether it answers, and the API's URL in the outputs file `cdk deploy --outputs-file` wrote.
 */
import { existsSync, readFileSync } from 'node:fs';

export const DEFAULT_LOCALSTACK_ENDPOINT = 'http://localhost:4566';
export const OUTPUTS_FILE = '.localstack/outputs.json';
export const HEALTH_TIMEOUT_MS = 3_000;
/** The LocalStack image CI and the README use: a dated release, never `latest`. */
export const LOCALSTACK_IMAGE = 'localstack/localstack:2026.09.0';

/** LocalStack's health endpoint under an endpoint URL (with or without a trailing slash or path). */
export function localstackHealthUrl(endpoint: string): string {
  return new URL('/_localstack/health', endpoint).toString();
}

/**
 * The S3 endpoint next to AWS_ENDPOINT_URL (cdklocal refuses to run without one): LocalStack
 * recognises a bucket only on an `s3.` host, addressed virtual-host style as the CDK CLI does, so
 * localhost becomes s3.localhost.localstack.cloud (resolves to 127.0.0.1), any other host gets an
 * `s3.` prefix.
 */
export function s3EndpointFor(endpoint: string): string {
  const url = new URL(endpoint);
  const host = ['localhost', '127.0.0.1'].includes(url.hostname) ? 'localhost.localstack.cloud' : url.hostname;
  return `${url.protocol}//s3.${host}${url.port ? `:${url.port}` : ''}`;
}

/** Resolves when LocalStack answers its health check; rejects with how to start it when not. */
export async function assertLocalstackReachable(endpoint: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<void> {
  const url = localstackHealthUrl(endpoint);
  let problem: string;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.ok) return;
    problem = `it answered HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    problem = cause?.code ?? cause?.message ?? (error as Error).message;
  }
  throw new Error(
    [
      `LocalStack is not reachable at ${endpoint} (GET ${url}: ${problem}).`,
      'Start it first, for example:',
      `  docker run -d -p 4566:4566 -e LOCALSTACK_AUTH_TOKEN -v /var/run/docker.sock:/var/run/docker.sock ${LOCALSTACK_IMAGE}`,
      '(or `lstk start`). Since March 2026 LocalStack needs LOCALSTACK_AUTH_TOKEN, even on the free',
      'non-commercial plan: get one at https://app.localstack.cloud. Set AWS_ENDPOINT_URL if it listens elsewhere.',
    ].join('\n'),
  );
}

/** The outputs file's content, or undefined when there is none. */
export function readOutputsFile(file = OUTPUTS_FILE): unknown {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined;
}

/**
 * The API's base URL (no trailing slash) from CDK's outputs-file format,
 * `{ "<stackName>": { "<OutputKey>": "<value>" } }`, for the stack `commerce-<stage>-api`.
 */
export function apiUrlFrom(outputs: unknown, stage: string): string {
  if (outputs === undefined || outputs === null) {
    throw new Error(`No outputs file (${OUTPUTS_FILE}): deploy first with npm run deploy:localstack.`);
  }
  if (typeof outputs !== 'object' || Array.isArray(outputs)) {
    throw new Error(`The outputs file (${OUTPUTS_FILE}) is not CDK's outputs format: expected an object of stacks.`);
  }
  const stackName = `commerce-${stage}-api`;
  const stack = (outputs as Record<string, unknown>)[stackName];
  if (typeof stack !== 'object' || stack === null) {
    const found = Object.keys(outputs).join(', ') || 'none';
    throw new Error(`The outputs file has no stack ${stackName} (stacks: ${found}): deploy stage ${stage} with npm run deploy:localstack (STAGE=${stage}).`);
  }
  const url = (stack as Record<string, unknown>).ApiUrl;
  if (typeof url !== 'string' || url === '') {
    throw new Error(`Stack ${stackName} has no ApiUrl output in the outputs file: is it deployed from this version?`);
  }
  return url.replace(/\/+$/, '');
}
