/**
 * StartReplay / DescribeReplay for the offline EventBridge: the archived events whose time lies in
 * [EventStartTime, EventEndTime) go back through the destination bus's rules (only `FilterArns`'
 * rules when given), each with a `replay-name` field as AWS adds it; a replayed event is not archived
 * again. The replay runs synchronously, so DescribeReplay answers COMPLETED at once.
 */
import { AwsServiceError, optionalString, requiredString, type JsonObject } from '../aws-json/aws-json-server';
import type { EventEnvelope } from './input-transform';

export interface ReplaySource {
  /** The archive's events, oldest first, by archive ARN; undefined when no such archive. */
  archivedByArn(archiveArn: string): EventEnvelope[] | undefined;
  /** The destination bus's name from its ARN; undefined when no such bus. */
  busByArn(busArn: string): string | undefined;
  /** Routes one event on a bus to its matching rules (only `ruleArns` when given). */
  redeliver(busName: string, event: EventEnvelope, ruleArns: readonly string[] | undefined): void;
}

interface Replay {
  readonly output: JsonObject;
}

/** AWS JSON timestamps arrive as epoch seconds; an ISO string is accepted too. */
function timestamp(input: JsonObject, member: string): number {
  const value = input[member];
  const millis = typeof value === 'number' ? value * 1000 : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(millis)) throw new AwsServiceError('ValidationException', `${member} is required and must be a timestamp.`);
  return millis;
}

export function replayOperations(source: ReplaySource, region: string, accountId: string) {
  const replays = new Map<string, Replay>();
  return {
    StartReplay: (input: JsonObject): JsonObject => {
      const name = requiredString(input, 'ReplayName');
      if (replays.has(name)) throw new AwsServiceError('ResourceAlreadyExistsException', `Replay ${name} already exists.`);
      const archiveArn = requiredString(input, 'EventSourceArn');
      const destination = (input.Destination ?? {}) as JsonObject;
      const busArn = requiredString(destination, 'Arn');
      const filterArns = Array.isArray(destination.FilterArns) ? destination.FilterArns.filter((arn): arn is string => typeof arn === 'string') : undefined;
      const [from, to] = [timestamp(input, 'EventStartTime'), timestamp(input, 'EventEndTime')];
      if (from >= to) throw new AwsServiceError('InvalidEventPatternException', 'EventStartTime must be before EventEndTime.');
      const events = source.archivedByArn(archiveArn);
      if (events === undefined) throw new AwsServiceError('ResourceNotFoundException', `Archive ${archiveArn} does not exist.`);
      const bus = source.busByArn(busArn);
      if (bus === undefined) throw new AwsServiceError('ResourceNotFoundException', `Event bus ${busArn} does not exist.`);
      const started = new Date();
      let replayed = 0;
      for (const event of events) {
        const time = Date.parse(event.time);
        if (time < from || time >= to) continue;
        source.redeliver(bus, { ...event, 'replay-name': name } as EventEnvelope, filterArns);
        replayed++;
      }
      const replayArn = `arn:aws:events:${region}:${accountId}:replay/${name}`;
      replays.set(name, {
        output: {
          ReplayName: name, ReplayArn: replayArn, State: 'COMPLETED', EventSourceArn: archiveArn,
          Destination: destination, EventStartTime: from / 1000, EventEndTime: to / 1000,
          ReplayStartTime: started.getTime() / 1000, ReplayEndTime: Date.now() / 1000,
          ...(replayed === 0 ? {} : { EventLastReplayedTime: Date.now() / 1000 }),
        },
      });
      return { ReplayArn: replayArn, State: 'STARTING', ReplayStartTime: started.getTime() / 1000 };
    },
    DescribeReplay: (input: JsonObject): JsonObject => {
      const name = optionalString(input, 'ReplayName') ?? '';
      const replay = replays.get(name);
      if (replay === undefined) throw new AwsServiceError('ResourceNotFoundException', `Replay ${name} does not exist.`);
      return replay.output;
    },
  };
}
