/**
 * An `AWS::Lambda::EventSourceMapping` of the app, read into the settings the pollers use, with
 * Lambda's defaults filled in.
 */
import * as z from 'zod';
import type { LocalAssembly, LocalResource } from '../types';
import { compileFilterCriteria, type RecordFilter } from './filter-criteria';

export type EventSourceKind = 'sqs' | 'dynamodb-stream';

export interface MappingConfig {
  /** `<stackName>/<logicalId>`, for log lines. */
  readonly id: string;
  readonly kind: EventSourceKind;
  /** As the template gives it: a name or an ARN, whatever the Lambda invoker accepts. */
  readonly functionName: string;
  readonly functionArn: string;
  /** The source's ARN as the app knows it (for a stream, the template's StreamArn). */
  readonly eventSourceArn: string;
  readonly enabled: boolean;
  readonly batchSize: number;
  readonly maximumBatchingWindowMs: number;
  readonly reportBatchItemFailures: boolean;
  readonly filter: RecordFilter;
  /** Streams only. */
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  readonly bisectBatchOnFunctionError: boolean;
  /** -1: until the records expire. */
  readonly maximumRetryAttempts: number;
  /** -1: until the records expire (a DynamoDB stream keeps them 24 hours). */
  readonly maximumRecordAgeSeconds: number;
  readonly onFailureDestination?: string;
  /** Settings the template sets that the local runtime does not emulate, for a notice. */
  readonly notEmulated: readonly string[];
}

export const MAPPING_TYPE = 'AWS::Lambda::EventSourceMapping';

const DEFAULT_BATCH_SIZE: Readonly<Record<EventSourceKind, number>> = { sqs: 10, 'dynamodb-stream': 100 };
const MAX_BATCH_SIZE: Readonly<Record<EventSourceKind, number>> = { sqs: 10_000, 'dynamodb-stream': 10_000 };

const integer = z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]).pipe(z.number().int());
const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]);

const mappingProperties = z.object({
  FunctionName: z.string().min(1),
  EventSourceArn: z.string().optional(),
  Enabled: booleanish.optional(),
  BatchSize: integer.pipe(z.number().min(1)).optional(),
  MaximumBatchingWindowInSeconds: integer.pipe(z.number().min(0).max(300)).optional(),
  FunctionResponseTypes: z.array(z.enum(['ReportBatchItemFailures'])).optional(),
  FilterCriteria: z.object({ Filters: z.array(z.object({ Pattern: z.string() })).optional() }).optional(),
  StartingPosition: z.enum(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP']).optional(),
  BisectBatchOnFunctionError: booleanish.optional(),
  MaximumRetryAttempts: integer.pipe(z.number().min(-1).max(10_000)).optional(),
  MaximumRecordAgeInSeconds: integer.pipe(z.number().min(-1).max(604_800)).optional(),
  ParallelizationFactor: integer.pipe(z.number().min(1).max(10)).optional(),
  TumblingWindowInSeconds: integer.optional(),
  ScalingConfig: z.unknown().optional(),
  DestinationConfig: z.object({ OnFailure: z.object({ Destination: z.string() }).optional() }).optional(),
});

/** The kind of source behind an ARN, or undefined for sources the local runtime does not poll. */
export function eventSourceKindOf(arn: string): EventSourceKind | undefined {
  const service = arn.split(':')[2];
  if (service === 'sqs') return 'sqs';
  if (service === 'dynamodb' && arn.includes('/stream/')) return 'dynamodb-stream';
  return undefined;
}

export type MappingReading = { ok: true; config: MappingConfig } | { ok: false; reason: string };

/** Throws for a mapping CloudFormation would reject; reports sources this runtime cannot poll. */
export function readMapping(resource: LocalResource, assembly: LocalAssembly): MappingReading {
  const id = `${resource.stackName}/${resource.logicalId}`;
  const parsed = mappingProperties.safeParse(resource.properties);
  if (!parsed.success) throw new Error(`event source mapping ${id} has invalid properties:\n${z.prettifyError(parsed.error)}`);
  const props = parsed.data;
  const eventSourceArn = props.EventSourceArn;
  if (!eventSourceArn) return { ok: false, reason: 'it has no EventSourceArn (self-managed Kafka is not emulated)' };
  const kind = eventSourceKindOf(eventSourceArn);
  if (!kind) return { ok: false, reason: `its source ${eventSourceArn} is not an SQS queue or a DynamoDB stream` };

  const batchSize = props.BatchSize ?? DEFAULT_BATCH_SIZE[kind];
  if (batchSize > MAX_BATCH_SIZE[kind]) throw new Error(`event source mapping ${id}: BatchSize ${batchSize} is above ${MAX_BATCH_SIZE[kind]}`);
  if (kind === 'dynamodb-stream' && !props.StartingPosition) throw new Error(`event source mapping ${id}: a stream source needs a StartingPosition`);
  if (props.StartingPosition === 'AT_TIMESTAMP') throw new Error(`event source mapping ${id}: DynamoDB streams do not support AT_TIMESTAMP`);

  const notEmulated: string[] = [];
  if ((props.ParallelizationFactor ?? 1) > 1) notEmulated.push(`ParallelizationFactor ${props.ParallelizationFactor} (each shard is processed serially)`);
  if (props.TumblingWindowInSeconds) notEmulated.push('TumblingWindowInSeconds');
  if (props.ScalingConfig !== undefined) notEmulated.push('ScalingConfig (one poller per queue)');

  const onFailureDestination = props.DestinationConfig?.OnFailure?.Destination;
  const config: MappingConfig = {
    id,
    kind,
    functionName: props.FunctionName,
    functionArn: functionArnOf(props.FunctionName, assembly),
    eventSourceArn,
    enabled: props.Enabled ?? true,
    batchSize,
    maximumBatchingWindowMs: (props.MaximumBatchingWindowInSeconds ?? 0) * 1000,
    reportBatchItemFailures: props.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
    filter: compileFilterCriteria(
      (props.FilterCriteria?.Filters ?? []).map((filter) => filter.Pattern),
      `event source mapping ${id}`,
    ),
    startingPosition: props.StartingPosition === 'TRIM_HORIZON' ? 'TRIM_HORIZON' : 'LATEST',
    bisectBatchOnFunctionError: props.BisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: props.MaximumRetryAttempts ?? -1,
    maximumRecordAgeSeconds: props.MaximumRecordAgeInSeconds ?? -1,
    ...(onFailureDestination ? { onFailureDestination } : {}),
    notEmulated,
  };
  return { ok: true, config };
}

function functionArnOf(functionName: string, assembly: LocalAssembly): string {
  const known = assembly.find(functionName)?.arn;
  if (known) return known;
  if (functionName.startsWith('arn:')) return functionName;
  return `arn:aws:lambda:${assembly.region}:${assembly.accountId}:function:${functionName}`;
}
