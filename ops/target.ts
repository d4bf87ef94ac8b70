/**
 * Where the ops CLI works: a deployed stage (its stacks' outputs, read with CloudFormation
 * DescribeStacks, in the account and region of the environment) or the offline runtime (the
 * endpoints and outputs `npm start` writes to cdk.out/local-runtime.json). Either way the
 * resources come from the outputs lib/platform/ops-outputs.ts declares.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, paginateDescribeStacks } from '@aws-sdk/client-cloudformation';
import { OPS_OUTPUT } from '../lib/platform/ops-outputs';

/** Stack outputs by stack name, then output key. */
export type Outputs = Readonly<Record<string, Readonly<Record<string, string>>>>;
export type Service = 'DYNAMODB' | 'SQS' | 'EVENTBRIDGE' | 'SFN' | 'LAMBDA';

export interface DeadLetterQueueInfo {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
  readonly purpose: string;
  readonly redrive: { readonly kind: 'queue'; readonly url: string } | { readonly kind: 'function'; readonly arn: string } | { readonly kind: 'none' };
}

export interface OpsResources {
  readonly deadLetterQueues: readonly DeadLetterQueueInfo[];
  readonly eventBusArn?: string;
  readonly eventArchiveArn?: string;
  readonly ordersTableName?: string;
  readonly orderSagaArn?: string;
  readonly cancellationSagaArn?: string;
  readonly catalogTableName?: string;
  readonly searchTableName?: string;
}

export interface Target {
  /** For messages: `stage dev` or `offline runtime`. */
  readonly description: string;
  readonly resources: OpsResources;
  /** SDK client configuration per service: the local endpoints and credentials offline, the environment's otherwise. */
  clientConfig(service: Service): {
    region?: string;
    endpoint?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string };
    maxAttempts?: number;
  };
}

export class TargetError extends Error {}

/** The resources the outputs describe; an output key carries its construct path, so ids are matched inside keys. */
export function opsResources(outputs: Outputs): OpsResources {
  const entries = Object.values(outputs).flatMap((stack) => Object.entries(stack));
  const one = (id: string) => entries.find(([key]) => key.includes(id))?.[1];
  const deadLetterQueues = entries
    .filter(([key]) => key.includes(OPS_OUTPUT.deadLetterQueue))
    .map(([, value]): DeadLetterQueueInfo => {
      const parsed = JSON.parse(value) as Omit<DeadLetterQueueInfo, 'name'>;
      return { ...parsed, name: parsed.url.slice(parsed.url.lastIndexOf('/') + 1) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  const optional = (key: keyof OpsResources, id: string) => (one(id) === undefined ? {} : { [key]: one(id) });
  return {
    deadLetterQueues,
    ...optional('eventBusArn', OPS_OUTPUT.eventBusArn),
    ...optional('eventArchiveArn', OPS_OUTPUT.eventArchiveArn),
    ...optional('ordersTableName', OPS_OUTPUT.ordersTableName),
    ...optional('orderSagaArn', OPS_OUTPUT.orderSagaArn),
    ...optional('cancellationSagaArn', OPS_OUTPUT.cancellationSagaArn),
    ...optional('catalogTableName', OPS_OUTPUT.catalogTableName),
    ...optional('searchTableName', OPS_OUTPUT.searchTableName),
  };
}

/** The stage's stacks (`commerce-<stage>-*`) and their outputs. */
export async function deployedTarget(stage: string, cloudFormation = new CloudFormationClient({})): Promise<Target> {
  const prefix = `commerce-${stage}-`;
  const outputs: Record<string, Record<string, string>> = {};
  for await (const page of paginateDescribeStacks({ client: cloudFormation }, {})) {
    for (const stack of page.Stacks ?? []) {
      if (!stack.StackName?.startsWith(prefix)) continue;
      outputs[stack.StackName] = Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']));
    }
  }
  if (Object.keys(outputs).length === 0) throw new TargetError(`No stacks named ${prefix}* in this account and region: deploy the stage first (npm run deploy -- -c stage=${stage})`);
  return { description: `stage ${stage}`, resources: opsResources(outputs), clientConfig: () => ({}) };
}

export const DEFAULT_RUNTIME_FILE = path.join(__dirname, '..', 'cdk.out', 'local-runtime.json');

/** How to reach an offline runtime: what `npm start` writes to its runtime file. */
export interface OfflineRuntime {
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly endpoints: Partial<Record<Service, string>>;
  readonly outputs: Outputs;
}

/** An offline runtime as a target; `maxAttempts` for callers that must not wait on SDK retries (the console). */
export function offlineTarget(runtime: OfflineRuntime, options: { maxAttempts?: number } = {}): Target {
  return {
    description: 'offline runtime',
    resources: opsResources(runtime.outputs),
    clientConfig: (service) => ({
      region: runtime.region, endpoint: runtime.endpoints[service], credentials: { ...runtime.credentials }, ...options,
    }),
  };
}

/** The offline runtime `npm start` runs, from the file it writes once up. */
export function localTarget(file = DEFAULT_RUNTIME_FILE): Target {
  let runtime: OfflineRuntime;
  try {
    runtime = JSON.parse(readFileSync(file, 'utf8')) as OfflineRuntime;
  } catch (error) {
    throw new TargetError(`Cannot read the offline runtime's description ${file} (${(error as Error).message}): start it with npm start`);
  }
  return offlineTarget(runtime);
}

/** A resource the command needs, or a clear error naming the output that should hold it. */
export function required<K extends keyof OpsResources>(target: Target, key: K): NonNullable<OpsResources[K]> {
  const value = target.resources[key];
  if (value === undefined) throw new TargetError(`The ${target.description} has no ${key} output (lib/platform/ops-outputs.ts): redeploy it`);
  return value as NonNullable<OpsResources[K]>;
}
