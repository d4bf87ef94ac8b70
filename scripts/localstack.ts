/**
 * Deploys the app to LocalStack and runs the end-to-end suite against it:
 *
 *   npm run deploy:localstack   # cdk bootstrap + deploy --all, outputs in .localstack/outputs.json
 *   npm run test:localstack     # creates the admin, then vitest --project e2e with E2E_BASE_URL set
 *
 * AWS_ENDPOINT_URL (default http://localhost:4566), AWS_REGION (default us-east-1), STAGE (default dev),
 * COMMERCE_ADMIN_EMAIL / COMMERCE_ADMIN_PASSWORD (defaults as `npm start`), LOCALSTACK_CDK (the CDK
 * command: default the project's own `cdk`; `cdklocal` if you prefer LocalStack's wrapper).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { EmailTakenError } from '../functions/users/domain/user';
import { stageFrom } from '../lib/platform/stage';
import { createAdmin, DEFAULT_ADMIN, usersTableOf } from './admin';
import {
  DEFAULT_LOCALSTACK_ENDPOINT, OUTPUTS_FILE, apiUrlFrom, assertLocalstackReachable, readOutputsFile, s3EndpointFor,
} from './localstack-outputs';

const ROOT = path.resolve(__dirname, '..');
const CDK_CLI = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const VITEST_CLI = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');

/** A command line: what runs, and what to show for it. */
export interface Command {
  readonly command: string;
  readonly args: readonly string[];
  readonly display: string;
}

/**
 * The environment the CDK CLI and the SDK clients need to talk to LocalStack. The CDK CLI (2.177
 * and later) sends every request to AWS_ENDPOINT_URL and S3's to AWS_ENDPOINT_URL_S3, as cdklocal
 * and `lstk cdk` arrange too; a profile or session token could point it at real AWS, so they go.
 * This Node comes first on PATH, so whatever starts `node` by name (the CDK app, cdklocal) runs on it.
 */
export function localstackEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const endpoint = env.AWS_ENDPOINT_URL ?? DEFAULT_LOCALSTACK_ENDPOINT;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const { AWS_PROFILE: _profile, AWS_DEFAULT_PROFILE: _defaultProfile, AWS_SESSION_TOKEN: _sessionToken, ...rest } = env;
  return {
    ...rest,
    PATH: [path.dirname(process.execPath), env.PATH].filter(Boolean).join(path.delimiter),
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: env.AWS_ENDPOINT_URL_S3 ?? s3EndpointFor(endpoint),
    // cdklocal strips every other AWS_* variable (AWS_PROFILE included) before running the CDK.
    AWS_ENVAR_ALLOWLIST: 'AWS_REGION,AWS_DEFAULT_REGION',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: env.AWS_DEFAULT_REGION ?? region,
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? 'test',
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? 'test',
    CDK_DISABLE_VERSION_CHECK: '1',
  };
}

/** The CDK CLI: the project's own on this Node, or LOCALSTACK_CDK (e.g. `cdklocal`) found on PATH. */
export function cdkCommand(env: NodeJS.ProcessEnv): Command {
  const chosen = env.LOCALSTACK_CDK?.trim();
  if (!chosen || chosen === 'cdk') return { command: process.execPath, args: [CDK_CLI], display: 'cdk' };
  return { command: chosen, args: [], display: chosen };
}

function run({ command, args: base, display }: Command, args: string[], env: NodeJS.ProcessEnv): void {
  console.log(`$ ${[display, ...args].join(' ')}`);
  const result = spawnSync(command, [...base, ...args], { cwd: ROOT, env, stdio: 'inherit' });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${command} is not installed (LOCALSTACK_CDK=${command}): install it (npm install -g aws-cdk-local) or unset LOCALSTACK_CDK to use the project's cdk`);
  }
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${display} ${args[0]} failed with exit code ${result.status}`);
}

async function deploy(env: NodeJS.ProcessEnv, stage: string): Promise<void> {
  mkdirSync(path.join(ROOT, path.dirname(OUTPUTS_FILE)), { recursive: true });
  const cdk = cdkCommand(env);
  run(cdk, ['bootstrap', '-c', `stage=${stage}`], env);
  run(cdk, ['deploy', '--all', '--require-approval', 'never', '-c', `stage=${stage}`, '--outputs-file', OUTPUTS_FILE], env);
  console.log(`Deployed stage ${stage}; outputs in ${OUTPUTS_FILE}. Next: npm run test:localstack`);
}

async function test(env: NodeJS.ProcessEnv, stage: string): Promise<void> {
  const baseUrl = apiUrlFrom(readOutputsFile(path.join(ROOT, OUTPUTS_FILE)), stage);
  // The SDK clients of the admin code read the endpoint, region and credentials from process.env.
  Object.assign(process.env, env);
  const email = env.COMMERCE_ADMIN_EMAIL ?? DEFAULT_ADMIN.email;
  const password = env.COMMERCE_ADMIN_PASSWORD ?? DEFAULT_ADMIN.password;
  try {
    await createAdmin({ email, password, name: 'Administrator', table: await usersTableOf(stage) });
    console.log(`Created admin ${email}`);
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error;
    console.log(`Admin ${email} already exists`);
  }
  console.log(`Running the e2e suite against ${baseUrl}`);
  run({ command: process.execPath, args: [VITEST_CLI], display: 'vitest' }, ['run', '--project', 'e2e'], {
    ...env, E2E_BASE_URL: baseUrl, COMMERCE_ADMIN_EMAIL: email, COMMERCE_ADMIN_PASSWORD: password,
  });
}

async function main(command: string | undefined): Promise<void> {
  if (command !== 'deploy' && command !== 'test') throw new Error('usage: tsx scripts/localstack.ts deploy|test');
  const env = localstackEnv();
  const stage = stageFrom(env.STAGE ?? 'dev').name;
  await assertLocalstackReachable(env.AWS_ENDPOINT_URL!);
  await (command === 'deploy' ? deploy(env, stage) : test(env, stage));
}

if (require.main === module) {
  main(process.argv[2]).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
