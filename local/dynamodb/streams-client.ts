/**
 * A minimal DynamoDB Streams client for DynamoDB Local, which serves the Streams API at its
 * endpoint (JSON 1.0 protocol, `X-Amz-Target: DynamoDBStreams_20120810.<Operation>`).
 *
 * Why not the SDK: the project does not depend on @aws-sdk/client-dynamodb-streams, and
 * @aws-sdk/client-dynamodb has none of these operations (DescribeStream, GetShardIterator and
 * GetRecords belong to the separate `streams.dynamodb` service). DynamoDB Local wants a SigV4
 * Authorization header to be present but never checks the signature, so a well-formed
 * placeholder is enough.
 */
import { Agent, request as httpRequest } from 'node:http';
import * as z from 'zod';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './local-dynamodb';

const TARGET_PREFIX = 'DynamoDBStreams_20120810';
/** DescribeStream pages through shards; a stream with more pages than this is not a local one. */
const MAX_DESCRIBE_PAGES = 100;

export type ShardIteratorType = 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER';

const attributeMap = z.record(z.string(), z.unknown());

const shardSchema = z.object({
  ShardId: z.string(),
  ParentShardId: z.string().optional(),
  SequenceNumberRange: z
    .object({ StartingSequenceNumber: z.string().optional(), EndingSequenceNumber: z.string().optional() })
    .optional(),
});
export type Shard = z.infer<typeof shardSchema>;

const streamRecordSchema = z.object({
  eventID: z.string(),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  eventVersion: z.string().optional(),
  eventSource: z.string().optional(),
  awsRegion: z.string().optional(),
  dynamodb: z.object({
    ApproximateCreationDateTime: z.number().optional(),
    Keys: attributeMap.optional(),
    NewImage: attributeMap.optional(),
    OldImage: attributeMap.optional(),
    SequenceNumber: z.string(),
    SizeBytes: z.number().optional(),
    StreamViewType: z.string().optional(),
  }),
  /** Present on deletions made by time to live. */
  userIdentity: z.object({ type: z.string(), principalId: z.string() }).optional(),
});
/** A record as GetRecords returns it. */
export type StreamRecord = z.infer<typeof streamRecordSchema>;

const describeStreamOutput = z.object({
  StreamDescription: z.object({
    StreamArn: z.string(),
    StreamStatus: z.string().optional(),
    Shards: z.array(shardSchema).optional(),
    LastEvaluatedShardId: z.string().optional(),
  }),
});
const getShardIteratorOutput = z.object({ ShardIterator: z.string().optional() });
const getRecordsOutput = z.object({
  Records: z.array(streamRecordSchema).optional(),
  NextShardIterator: z.string().nullish(),
});
const errorOutput = z.object({ __type: z.string().optional(), message: z.string().optional(), Message: z.string().optional() });

/** An error answered by the Streams API; `code` is the exception name, e.g. `ExpiredIteratorException`. */
export class StreamsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'StreamsApiError';
  }
}

export interface GetRecordsResult {
  readonly records: StreamRecord[];
  /** Absent once the shard is closed and fully read. */
  readonly nextShardIterator?: string;
}

export interface StreamsClient {
  /** Every shard of the stream, open and closed (a child's ParentShardId names the shard it continues). */
  listShards(streamArn: string, signal?: AbortSignal): Promise<Shard[]>;
  getShardIterator(
    request: { streamArn: string; shardId: string; type: ShardIteratorType; sequenceNumber?: string },
    signal?: AbortSignal,
  ): Promise<string>;
  getRecords(shardIterator: string, limit: number, signal?: AbortSignal): Promise<GetRecordsResult>;
}

/**
 * POSTs over node:http with a keep-alive agent: every stream mapping polls several times a second,
 * and fetch (undici) spent about three times node:http's CPU per request on the runtime's main
 * thread (the same finding as the load bench's reads). Idle sockets do not hold the process open.
 */
function post(agent: Agent, endpoint: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(endpoint, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, ...(signal ? { signal } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

export function createStreamsClient(endpoint: string): StreamsClient {
  const agent = new Agent({ keepAlive: true });
  const call = async <T>(operation: string, input: unknown, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T> => {
    const response = await post(
      agent,
      endpoint,
      {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `${TARGET_PREFIX}.${operation}`,
        authorization: placeholderAuthorization(),
      },
      JSON.stringify(input),
      signal,
    );
    const { text } = response;
    const body = parseJson(text);
    if (response.status < 200 || response.status > 299) {
      const error = errorOutput.safeParse(body);
      const code = error.success ? (error.data.__type?.split('#').pop() ?? 'UnknownError') : 'UnknownError';
      const message = error.success ? (error.data.message ?? error.data.Message ?? text) : text;
      throw new StreamsApiError(code, message, response.status);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new Error(`unexpected ${operation} answer from ${endpoint}: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  };

  return {
    listShards: async (streamArn, signal) => {
      const shards: Shard[] = [];
      let exclusiveStartShardId: string | undefined;
      for (let page = 0; page < MAX_DESCRIBE_PAGES; page++) {
        const { StreamDescription: description } = await call(
          'DescribeStream',
          { StreamArn: streamArn, ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}) },
          describeStreamOutput,
          signal,
        );
        shards.push(...(description.Shards ?? []));
        exclusiveStartShardId = description.LastEvaluatedShardId;
        if (!exclusiveStartShardId) return shards;
      }
      throw new Error(`stream ${streamArn} has more than ${MAX_DESCRIBE_PAGES} pages of shards`);
    },
    getShardIterator: async ({ streamArn, shardId, type, sequenceNumber }, signal) => {
      const { ShardIterator: iterator } = await call(
        'GetShardIterator',
        { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: type, ...(sequenceNumber ? { SequenceNumber: sequenceNumber } : {}) },
        getShardIteratorOutput,
        signal,
      );
      if (!iterator) throw new Error(`GetShardIterator returned no iterator for ${shardId}`);
      return iterator;
    },
    getRecords: async (shardIterator, limit, signal) => {
      const output = await call('GetRecords', { ShardIterator: shardIterator, Limit: limit }, getRecordsOutput, signal);
      return {
        records: output.Records ?? [],
        ...(output.NextShardIterator ? { nextShardIterator: output.NextShardIterator } : {}),
      };
    },
  };
}

function placeholderAuthorization(): string {
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  return (
    `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/${date}/${LOCAL_REGION}/dynamodb/aws4_request, ` +
    'SignedHeaders=content-type;host;x-amz-target, Signature=0000000000000000000000000000000000000000000000000000000000000000'
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
