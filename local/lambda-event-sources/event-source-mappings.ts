/**
 * Lambda event source mappings of the app (`AWS::Lambda::EventSourceMapping`): one poller per
 * enabled mapping, reading an SQS queue (sqs-event-source.ts) or a DynamoDB stream
 * (stream-event-source.ts) and invoking the mapped function synchronously with batches.
 *
 * Sources the local runtime cannot poll (Kinesis, Kafka, MQ, DocumentDB) and sources outside
 * the app are skipped with a log line, as are disabled mappings.
 */
import { streamArnOf } from '../dynamodb/tables';
import { createStreamsClient } from '../dynamodb/streams-client';
import type { LambdaInvoker, LocalAssembly, LogSink, RunningService } from '../types';
import { MAPPING_TYPE, readMapping, type MappingConfig } from './mapping-config';
import type { PollingLoop } from './polling-loop';
import { startSqsEventSource } from './sqs-event-source';
import { startStreamEventSource } from './stream-event-source';
import { writableTables } from './writable-tables';

const DEFAULT_POLL_INTERVAL_MS = 200;
const QUEUE_TYPE = 'AWS::SQS::Queue';
const TABLE_TYPE = 'AWS::DynamoDB::Table';

export interface EventSourceMappingDeps {
  readonly lambda: LambdaInvoker;
  /** The local SQS endpoint, e.g. http://127.0.0.1:4566. */
  readonly sqsEndpoint: string;
  /** The DynamoDB Local endpoint, which serves the Streams API as well. */
  readonly dynamoEndpoint: string;
  /** Delivers to an SQS queue of the app by ARN (stream mappings' on-failure destinations). */
  sendToQueue(queueArn: string, body: string): Promise<void>;
  readonly log: LogSink;
  /** Pause between reads of a stream with nothing new, and base of the retry back-off. Defaults to 200 ms. */
  readonly pollIntervalMs?: number;
}

export interface RunningEventSources extends RunningService {
  /**
   * A function has ended: the pollers of the streams of the tables it may write (its role's
   * policies; every stream when they do not say) look now, instead of at their next periodic
   * poll. Resolves once they have read (and delivered) what it wrote.
   */
  invocationEnded(functionNameOrArn: string): Promise<void>;
  /** Every stream poller looks now; resolves once each has read its shards since (and delivered what it read). */
  pollStreams(): Promise<void>;
}

/** A stream mapping's poller and the table whose stream it reads. */
interface StreamPoller {
  readonly tableArn: string;
  readonly loop: PollingLoop;
}

/** Resolves once every poller has taken its starting position. */
export async function startEventSourceMappings(assembly: LocalAssembly, deps: EventSourceMappingDeps): Promise<RunningEventSources> {
  const pollIntervalMs = deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const streams = createStreamsClient(deps.dynamoEndpoint);
  const pollers: PollingLoop[] = [];
  const streamPollers: StreamPoller[] = [];
  const writable = writableTables(assembly);
  const stopAll = async (): Promise<void> => {
    await Promise.all(pollers.map((poller) => poller.stop()));
  };

  try {
    for (const resource of assembly.ofType(MAPPING_TYPE)) {
      const reading = readMapping(resource, assembly);
      const id = `${resource.stackName}/${resource.logicalId}`;
      if (!reading.ok) {
        deps.log(`[event-sources] ${id}: skipped: ${reading.reason}`);
        continue;
      }
      const config = reading.config;
      const skip = reasonToSkip(config, assembly, deps.lambda);
      if (skip) {
        deps.log(`[event-sources] ${id}: skipped: ${skip}`);
        continue;
      }
      for (const setting of config.notEmulated) deps.log(`[event-sources] ${id}: not emulated: ${setting}`);

      if (config.kind === 'sqs') {
        const queueUrl = assembly.find(config.eventSourceArn)?.ref ?? '';
        pollers.push(startSqsEventSource(config, queueUrl, { ...deps, region: assembly.region, pollIntervalMs }));
      } else {
        const streamArn = await streamArnOf(config.eventSourceArn, deps.dynamoEndpoint);
        const loop = await startStreamEventSource(config, {
          lambda: deps.lambda,
          streams,
          streamArn,
          region: assembly.region,
          sendToQueue: deps.sendToQueue,
          log: deps.log,
          pollIntervalMs,
        });
        pollers.push(loop);
        streamPollers.push({ tableArn: tableArnOf(config.eventSourceArn), loop });
      }
      deps.log(`[event-sources] ${id}: ${config.eventSourceArn} → ${config.functionName} (batches of up to ${config.batchSize})`);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    invocationEnded: async (functionNameOrArn) => {
      const tables = writable(functionNameOrArn);
      const polled = streamPollers.filter(({ tableArn }) => tables === 'any' || tables.has(tableArn));
      await Promise.all(polled.map(({ loop }) => loop.poll()));
    },
    pollStreams: async () => {
      await Promise.all(streamPollers.map(({ loop }) => loop.poll()));
    },
    stop: () => {
      stopped ??= stopAll();
      return stopped;
    },
  };
}

/** The table of a stream ARN (`arn:…:table/<name>/stream/<label>`). */
const tableArnOf = (streamArn: string): string => streamArn.slice(0, streamArn.indexOf('/stream/'));

function reasonToSkip(config: MappingConfig, assembly: LocalAssembly, lambda: LambdaInvoker): string | undefined {
  if (!config.enabled) return 'disabled (Enabled: false)';
  if (!lambda.has(config.functionName)) return `function ${config.functionName} is not one the local runtime runs`;
  if (config.kind === 'sqs' && assembly.find(config.eventSourceArn)?.type !== QUEUE_TYPE) {
    return `queue ${config.eventSourceArn} is not part of the app`;
  }
  if (config.kind === 'dynamodb-stream') {
    const tableArn = tableArnOf(config.eventSourceArn);
    if (assembly.find(tableArn)?.type !== TABLE_TYPE) return `table ${tableArn} is not part of the app`;
  }
  return undefined;
}
