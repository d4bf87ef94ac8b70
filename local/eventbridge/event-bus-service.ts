/**
 * Amazon EventBridge for the offline runtime: the app's event buses, rules and archives, behind an
 * AWS JSON 1.1 endpoint (`X-Amz-Target: AWSEvents.<Operation>`) for the SDK clients of the app's
 * functions, and as a `putEvents` function for in-process callers (e.g. a Step Functions task).
 *
 * Emulated:
 * - buses: every `AWS::Events::EventBus` (addressed by name or ARN) plus `default`;
 * - PutEvents: at most 10 entries; per-entry `InvalidArgument` (missing Source, DetailType or
 *   Detail) and `MalformedDetail` (Detail not a JSON object) failures, counted in
 *   FailedEntryCount, the other entries being accepted; the delivered event is
 *   `{version: '0', id, detail-type, source, account, time, region, resources, detail}`;
 * - rules (`AWS::Events::Rule`, State not DISABLED, with an EventPattern) matched with
 *   {@link matchesEventPattern}; targets by ARN service (Lambda async invoke, SQS, Step
 *   Functions) with Input / InputPath / InputTransformer, RetryPolicy, DeadLetterConfig and
 *   SqsParameters.MessageGroupId (see ./delivery and ./input-transform);
 * - archives (`AWS::Events::Archive`): the matching events of the source bus kept in memory, the
 *   newest {@link ARCHIVE_LIMIT} per archive, readable through `archived()`, replayed by StartReplay
 *   (see ./replay);
 * - read operations: DescribeEventBus, ListEventBuses, ListRules, DescribeRule, ListTargetsByRule.
 *
 * Deliberate differences:
 * - PutEvents to a bus that does not exist fails that entry (`ResourceNotFoundException`,
 *   "Event bus X does not exist."), where AWS accepts the event and drops it silently
 *   (aws/aws-cli#9186): locally a typo in a bus name should be loud;
 * - schedule rules (ScheduleExpression) never fire; other target services are not emulated;
 * - no entry-size limit (256 KB), no quotas, no resource policies, no global endpoints.
 */
import { randomUUID } from 'node:crypto';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import * as z from 'zod';

import { AwsServiceError, optionalString, startAwsJsonServer, type AwsJsonOperation, type JsonObject } from '../aws-json/aws-json-server';
import type { LocalAssembly, LocalResource, LogSink, RunningService } from '../types';
import {
  createDelivery,
  DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
  DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
  type DeliveryTarget,
} from './delivery';
import { matchesEventPattern, validateEventPattern, type EventPattern } from './event-pattern';
import { compileTargetInput, type EventEnvelope } from './input-transform';
import { replayOperations } from './replay';
import { serviceOf, targetKindOf, type EventTargets } from './targets';

export type { EventTargets, QueueMessageOptions } from './targets';
export type { EventEnvelope } from './input-transform';

/** Events kept per archive; the oldest go first. */
export const ARCHIVE_LIMIT = 10_000;
const MAX_ENTRIES = 10;

export interface EventBridgeOptions {
  readonly log: LogSink;
  /** Backoff between delivery attempts (the last one repeats); milliseconds in tests. */
  readonly retryDelaysMs?: readonly number[];
  /** Defaults to a free port. */
  readonly port?: number;
  /** Called with every event accepted on a bus, before its delivery (e.g. to keep a log of what was published). */
  readonly onEvent?: (busName: string, event: EventEnvelope) => void;
}

/** What PutEvents answers. */
export interface PutEventsResult {
  readonly FailedEntryCount: number;
  readonly Entries: PutEventsResultEntry[];
}

/** A PutEvents entry; `Time` may also be an ISO string or epoch seconds (the wire format). */
export type PutEventsEntry = Omit<PutEventsRequestEntry, 'Time'> & { readonly Time?: Date | string | number };

export interface RunningEventBridge extends RunningService {
  readonly endpoint: string;
  /** PutEvents, in process. Throws {@link AwsServiceError} (ValidationException) for 0 or over 10 entries. */
  putEvents(entries: readonly PutEventsEntry[]): Promise<PutEventsResult>;
  /** The events archived from a bus (by name or ARN) or by an archive (by name), oldest first. */
  archived(busOrArchiveName: string): EventEnvelope[];
  /** Resolves when every delivery started so far has succeeded or failed for good (or on stop). */
  idle(): Promise<void>;
}

// ------------------------------------------------------------ resource model

const count = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const targetSchema = z.object({
  Arn: z.string(),
  Id: z.string(),
  Input: z.string().optional(),
  InputPath: z.string().optional(),
  InputTransformer: z
    .object({ InputPathsMap: z.record(z.string(), z.string()).optional(), InputTemplate: z.string() })
    .optional(),
  RetryPolicy: z.object({ MaximumRetryAttempts: count.optional(), MaximumEventAgeInSeconds: count.optional() }).optional(),
  DeadLetterConfig: z.object({ Arn: z.string().optional() }).optional(),
  SqsParameters: z.object({ MessageGroupId: z.string().optional() }).optional(),
});

const ruleSchema = z.object({
  EventBusName: z.string().optional(),
  EventPattern: z.unknown().optional(),
  ScheduleExpression: z.string().optional(),
  State: z.string().optional(),
  Description: z.string().optional(),
  Targets: z.array(targetSchema).optional(),
});

const archiveSchema = z.object({
  SourceArn: z.string(),
  EventPattern: z.unknown().optional(),
});

interface Bus {
  readonly name: string;
  readonly arn: string;
}

interface Rule {
  readonly name: string;
  readonly arn: string;
  readonly bus: Bus;
  readonly state: string;
  readonly description?: string;
  readonly scheduleExpression?: string;
  readonly pattern?: EventPattern;
  /** As given, for ListTargetsByRule. */
  readonly targetProperties: readonly z.infer<typeof targetSchema>[];
  readonly targets: readonly DeliveryTarget[];
}

interface Archive {
  readonly name: string;
  readonly arn?: string;
  readonly bus: Bus;
  readonly pattern?: EventPattern;
  /** With their ingestion sequence number, to merge several archives of one bus in order. */
  readonly events: { readonly sequence: number; readonly event: EventEnvelope }[];
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function where(resource: LocalResource): string {
  return `${resource.stackName}/${resource.logicalId}`;
}

/** An EventPattern property: an object, or its JSON text. */
function parsePattern(raw: unknown): EventPattern {
  const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  return validateEventPattern(value);
}

class BusDirectory {
  private readonly byName = new Map<string, Bus>();
  private readonly byArn = new Map<string, Bus>();

  constructor(readonly defaultBus: Bus) {
    this.add(defaultBus);
  }

  add(bus: Bus): void {
    this.byName.set(bus.name, bus);
    this.byArn.set(bus.arn, bus);
  }

  /** By name or ARN; undefined (or '') means the default bus. */
  find(nameOrArn: string | undefined): Bus | undefined {
    if (nameOrArn === undefined || nameOrArn === '') return this.defaultBus;
    return this.byArn.get(nameOrArn) ?? this.byName.get(nameOrArn);
  }

  all(): Bus[] {
    return [...this.byName.values()];
  }
}

function loadBuses(assembly: LocalAssembly, partition: string): BusDirectory {
  const buses = new BusDirectory({
    name: 'default',
    arn: `arn:${partition}:events:${assembly.region}:${assembly.accountId}:event-bus/default`,
  });
  for (const resource of assembly.ofType('AWS::Events::EventBus')) {
    // Ref of an event bus is its name.
    const name = resource.ref;
    buses.add({ name, arn: resource.arn ?? `arn:${partition}:events:${assembly.region}:${assembly.accountId}:event-bus/${name}` });
  }
  return buses;
}

function ruleTarget(rule: { name: string; arn: string }, target: z.infer<typeof targetSchema>): DeliveryTarget {
  return {
    ruleArn: rule.arn,
    ruleName: rule.name,
    targetId: target.Id,
    arn: target.Arn,
    input: compileTargetInput(target),
    maximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? DEFAULT_MAXIMUM_RETRY_ATTEMPTS,
    maximumEventAgeSeconds: target.RetryPolicy?.MaximumEventAgeInSeconds ?? DEFAULT_MAXIMUM_EVENT_AGE_SECONDS,
    ...(target.DeadLetterConfig?.Arn === undefined ? {} : { deadLetterArn: target.DeadLetterConfig.Arn }),
    ...(target.SqsParameters?.MessageGroupId === undefined ? {} : { messageGroupId: target.SqsParameters.MessageGroupId }),
  };
}

function loadRules(assembly: LocalAssembly, buses: BusDirectory, partition: string, log: LogSink): Rule[] {
  const rules: Rule[] = [];
  for (const resource of assembly.ofType('AWS::Events::Rule')) {
    const parsed = ruleSchema.safeParse(resource.properties);
    if (!parsed.success) {
      log(`IGNORED rule ${where(resource)}: unexpected properties: ${z.prettifyError(parsed.error)}`);
      continue;
    }
    const props = parsed.data;
    const bus = buses.find(props.EventBusName);
    if (bus === undefined) {
      log(`IGNORED rule ${where(resource)}: its event bus ${props.EventBusName ?? ''} does not exist`);
      continue;
    }
    // Ref of a rule is `<bus>|<name>` on a custom bus, `<name>` on the default one.
    const name = resource.ref.includes('|') ? resource.ref.slice(resource.ref.lastIndexOf('|') + 1) : resource.ref;
    const arn =
      resource.arn ??
      `arn:${partition}:events:${assembly.region}:${assembly.accountId}:rule/${bus.name === 'default' ? '' : `${bus.name}/`}${name}`;

    let pattern: EventPattern | undefined;
    if (props.EventPattern !== undefined) {
      try {
        pattern = parsePattern(props.EventPattern);
      } catch (error) {
        log(`IGNORED rule ${where(resource)}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
    }

    const targets: DeliveryTarget[] = [];
    for (const target of props.Targets ?? []) {
      try {
        targets.push(ruleTarget({ name, arn }, target));
      } catch (error) {
        log(`IGNORED target ${target.Id} of rule ${where(resource)}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (targetKindOf(target.Arn) === undefined) {
        log(`rule ${name}: target ${target.Id} is a ${serviceOf(target.Arn)} target, which is not emulated locally; its events are not delivered`);
      }
    }

    const state = props.State ?? 'ENABLED';
    if (props.ScheduleExpression !== undefined) {
      log(`rule ${name}: schedule rules (${props.ScheduleExpression}) do not fire locally`);
    }
    rules.push({
      name,
      arn,
      bus,
      state,
      ...(props.Description === undefined ? {} : { description: props.Description }),
      ...(props.ScheduleExpression === undefined ? {} : { scheduleExpression: props.ScheduleExpression }),
      ...(pattern === undefined ? {} : { pattern }),
      targetProperties: props.Targets ?? [],
      targets,
    });
  }
  return rules;
}

function loadArchives(assembly: LocalAssembly, buses: BusDirectory, log: LogSink): Archive[] {
  const archives: Archive[] = [];
  for (const resource of assembly.ofType('AWS::Events::Archive')) {
    const parsed = archiveSchema.safeParse(resource.properties);
    if (!parsed.success) {
      log(`IGNORED archive ${where(resource)}: unexpected properties: ${z.prettifyError(parsed.error)}`);
      continue;
    }
    const bus = buses.find(parsed.data.SourceArn);
    if (bus === undefined) {
      log(`IGNORED archive ${where(resource)}: its source bus ${parsed.data.SourceArn} does not exist`);
      continue;
    }
    let pattern: EventPattern | undefined;
    if (parsed.data.EventPattern !== undefined) {
      try {
        pattern = parsePattern(parsed.data.EventPattern);
      } catch (error) {
        log(`IGNORED archive ${where(resource)}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
    }
    archives.push({ name: resource.ref, ...(resource.arn === undefined ? {} : { arn: resource.arn }), bus, ...(pattern === undefined ? {} : { pattern }), events: [] });
  }
  return archives;
}

// ---------------------------------------------------------------- PutEvents

type EntryOutcome = { readonly ok: true; readonly bus: Bus; readonly event: EventEnvelope } | { readonly ok: false; readonly result: PutEventsResultEntry };

function invalidArgument(parameter: string): EntryOutcome {
  return {
    ok: false,
    result: {
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${parameter} is not valid. Reason: ${parameter} is a required argument.`,
    },
  };
}

/** `2015-11-11T21:29:54Z`: EventBridge's event time has no fraction. */
function eventTime(time: Date | string | number | undefined, fallback: Date): string | undefined {
  let date = fallback;
  if (time instanceof Date) date = time;
  else if (typeof time === 'number') date = new Date(time * 1000);
  else if (typeof time === 'string') date = new Date(time);
  if (Number.isNaN(date.getTime())) return undefined;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function checkEntry(entry: PutEventsEntry, buses: BusDirectory, assembly: LocalAssembly, now: Date): EntryOutcome {
  if (typeof entry.Source !== 'string' || entry.Source === '') return invalidArgument('Source');
  if (typeof entry.DetailType !== 'string' || entry.DetailType === '') return invalidArgument('DetailType');
  if (typeof entry.Detail !== 'string' || entry.Detail === '') return invalidArgument('Detail');
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail);
  } catch {
    detail = undefined;
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return { ok: false, result: { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' } };
  }
  const bus = buses.find(entry.EventBusName);
  if (bus === undefined) {
    return { ok: false, result: { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${entry.EventBusName} does not exist.` } };
  }
  const time = eventTime(entry.Time, now);
  if (time === undefined) {
    return { ok: false, result: { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Time is not valid. Reason: Time is not a valid timestamp.' } };
  }
  const resources = Array.isArray(entry.Resources) ? entry.Resources.filter((resource): resource is string => typeof resource === 'string') : [];
  return {
    ok: true,
    bus,
    event: {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: assembly.accountId,
      time,
      region: assembly.region,
      resources,
      detail,
    },
  };
}

// ------------------------------------------------------------------ the API

function ruleSummary(rule: Rule): JsonObject {
  return {
    Name: rule.name,
    Arn: rule.arn,
    State: rule.state,
    EventBusName: rule.bus.name,
    ...(rule.pattern === undefined ? {} : { EventPattern: JSON.stringify(rule.pattern) }),
    ...(rule.scheduleExpression === undefined ? {} : { ScheduleExpression: rule.scheduleExpression }),
    ...(rule.description === undefined ? {} : { Description: rule.description }),
  };
}

function busNotFound(name: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
}

/** The read-only operations: buses, rules and their targets as the app defines them. */
function describeOperations(buses: BusDirectory, rules: readonly Rule[]): Record<string, AwsJsonOperation> {
  const findRule = (input: JsonObject): Rule => {
    const name = optionalString(input, 'Name') ?? optionalString(input, 'Rule');
    const busName = optionalString(input, 'EventBusName');
    const bus = buses.find(busName);
    if (bus === undefined) throw busNotFound(busName ?? 'default');
    const rule = rules.find((candidate) => candidate.bus === bus && candidate.name === name);
    if (rule === undefined) throw new AwsServiceError('ResourceNotFoundException', `Rule ${name ?? ''} does not exist on EventBus ${bus.name}.`);
    return rule;
  };
  return {
  DescribeEventBus: (input) => {
    const name = optionalString(input, 'Name');
    const bus = buses.find(name);
    if (bus === undefined) throw busNotFound(name ?? 'default');
    return { Name: bus.name, Arn: bus.arn };
  },
  ListEventBuses: (input) => {
    const prefix = optionalString(input, 'NamePrefix') ?? '';
    return { EventBuses: buses.all().filter((bus) => bus.name.startsWith(prefix)).map((bus) => ({ Name: bus.name, Arn: bus.arn })) };
  },
  ListRules: (input) => {
    const busName = optionalString(input, 'EventBusName');
    const bus = buses.find(busName);
    if (bus === undefined) throw busNotFound(busName ?? 'default');
    const prefix = optionalString(input, 'NamePrefix') ?? '';
    return { Rules: rules.filter((rule) => rule.bus === bus && rule.name.startsWith(prefix)).map(ruleSummary) };
  },
  DescribeRule: (input) => ruleSummary(findRule(input)),
  ListTargetsByRule: (input) => ({ Targets: findRule(input).targetProperties }),
  };
}

/** Loads the app's buses, rules and archives and starts the endpoint. */
export async function startEventBridge(assembly: LocalAssembly, targets: EventTargets, options: EventBridgeOptions): Promise<RunningEventBridge> {
  const log = options.log;
  const partition = partitionOf(assembly.region);
  const buses = loadBuses(assembly, partition);
  const rules = loadRules(assembly, buses, partition, log);
  const archives = loadArchives(assembly, buses, log);
  const delivery = createDelivery({ targets, log, ...(options.retryDelaysMs === undefined ? {} : { retryDelaysMs: options.retryDelaysMs }) });
  let stopped = false;
  let sequence = 0;

  const route = (bus: Bus, event: EventEnvelope, ingestedAt: number): void => {
    sequence++;
    options.onEvent?.(bus.name, event);
    for (const archive of archives) {
      if (archive.bus !== bus || (archive.pattern !== undefined && !matchesEventPattern(archive.pattern, event))) continue;
      archive.events.push({ sequence, event });
      if (archive.events.length > ARCHIVE_LIMIT) archive.events.shift();
    }
    const matched = rules.filter(
      (rule) => rule.bus === bus && rule.state !== 'DISABLED' && rule.pattern !== undefined && matchesEventPattern(rule.pattern, event),
    );
    log(
      `event ${event.id} (${event.source} / ${event['detail-type']}) on bus ${bus.name}: ` +
        (matched.length === 0 ? 'matched no rule' : `matched ${matched.map((rule) => rule.name).join(', ')}`),
    );
    for (const rule of matched) {
      for (const target of rule.targets) delivery.deliver(target, event, ingestedAt);
    }
  };

  const putEvents = async (entries: readonly PutEventsEntry[]): Promise<PutEventsResult> => {
    if (entries.length === 0 || entries.length > MAX_ENTRIES) {
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length ${entries.length === 0 ? 'greater than or equal to 1' : `less than or equal to ${MAX_ENTRIES}`}`,
      );
    }
    const now = new Date();
    const outcomes = entries.map((entry) => checkEntry(entry, buses, assembly, now));
    if (!stopped) {
      for (const outcome of outcomes) if (outcome.ok) route(outcome.bus, outcome.event, now.getTime());
    }
    return {
      FailedEntryCount: outcomes.filter((outcome) => !outcome.ok).length,
      Entries: outcomes.map((outcome) => (outcome.ok ? { EventId: outcome.event.id } : outcome.result)),
    };
  };

  const server = await startAwsJsonServer({
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    log,
    ...(options.port === undefined ? {} : { port: options.port }),
    operations: {
      PutEvents: async (input) => {
        const entries = input.Entries;
        if (!Array.isArray(entries)) throw new AwsServiceError('ValidationException', "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must not be null");
        // A non-object entry fails on its own (no Source), keeping results aligned with entries.
        const result = await putEvents(entries.map((entry): PutEventsEntry => (typeof entry === 'object' && entry !== null ? (entry as PutEventsEntry) : {})));
        return { FailedEntryCount: result.FailedEntryCount, Entries: result.Entries };
      },
      ...describeOperations(buses, rules),
      ...replayOperations({
        archivedByArn: (arn) => archives.find((archive) => archive.arn === arn)?.events.map((entry) => entry.event),
        busByArn: (arn) => buses.find(arn)?.name,
        // A replayed event goes to the rules only: it is neither archived again nor logged as published.
        redeliver: (busName, event, ruleArns) => {
          for (const rule of rules) {
            if (rule.bus.name !== busName || rule.state === 'DISABLED' || rule.pattern === undefined) continue;
            if ((ruleArns !== undefined && !ruleArns.includes(rule.arn)) || !matchesEventPattern(rule.pattern, event)) continue;
            for (const target of rule.targets) delivery.deliver(target, event, Date.now());
          }
        },
      }, assembly.region, assembly.accountId),
    },
  });

  log(
    `EventBridge on ${server.endpoint}: ${buses.all().length} bus(es), ${rules.length} rule(s), ${archives.length} archive(s)`,
  );

  return {
    endpoint: server.endpoint,
    putEvents,
    archived(busOrArchiveName) {
      const byName = archives.filter((archive) => archive.name === busOrArchiveName);
      const bus = byName.length > 0 ? undefined : buses.find(busOrArchiveName);
      const chosen = byName.length > 0 ? byName : archives.filter((archive) => bus !== undefined && archive.bus === bus);
      // One event can sit in several archives of its bus: list it once, in ingestion order.
      const bySequence = new Map<number, EventEnvelope>();
      for (const archive of chosen) for (const entry of archive.events) bySequence.set(entry.sequence, entry.event);
      return [...bySequence.entries()].sort(([a], [b]) => a - b).map(([, event]) => event);
    },
    idle: () => delivery.idle(),
    async stop() {
      stopped = true;
      delivery.stop();
      await server.stop();
    },
  };
}
