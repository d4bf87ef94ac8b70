/**
 * `events replay --from --to [--detail-type]`: an EventBridge replay of the bus archive over the
 * window, back onto the bus, waited for with progress. With --detail-type the replay goes to the
 * rules whose pattern names that detail-type only (FilterArns): EventBridge cannot filter a replay
 * by event, so those rules also get their other event types of the window again; every consumer is
 * idempotent, so a re-delivered event changes nothing.
 */
import {
  DescribeReplayCommand, EventBridgeClient, ListRulesCommand, StartReplayCommand, type DescribeReplayResponse,
} from '@aws-sdk/client-eventbridge';
import type { Reporter } from './report';
import { required, TargetError, type Target } from './target';

export interface ReplayOptions {
  readonly from: Date;
  readonly to: Date;
  readonly detailType?: string;
  readonly dryRun: boolean;
  /** Between DescribeReplay polls. */
  readonly pollMs?: number;
}

const FINAL_STATES = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);

/** Whether a rule's pattern selects events of `detailType` by name. */
export function patternNames(patternJson: string | undefined, detailType: string): boolean {
  if (patternJson === undefined) return false;
  const selected = (JSON.parse(patternJson) as { 'detail-type'?: unknown })['detail-type'];
  return Array.isArray(selected) && selected.includes(detailType);
}

async function rulesFor(events: EventBridgeClient, busArn: string, detailType: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await events.send(new ListRulesCommand({ EventBusName: busArn, ...(nextToken === undefined ? {} : { NextToken: nextToken }) }));
    for (const rule of page.Rules ?? []) if (rule.Arn && patternNames(rule.EventPattern, detailType)) arns.push(rule.Arn);
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  if (arns.length === 0) throw new TargetError(`No rule on the bus selects detail-type "${detailType}": nothing would receive the replay`);
  return arns;
}

/** How far through the window the replay has got, from the time of the last event it replayed. */
function progressOf(replay: DescribeReplayResponse, from: Date, to: Date): string {
  const last = replay.EventLastReplayedTime;
  if (!last) return replay.State ?? 'STARTING';
  const share = Math.min(100, Math.max(0, Math.round(((last.getTime() - from.getTime()) / (to.getTime() - from.getTime())) * 100)));
  return `${replay.State ?? ''} ${share} % of the window (last event ${last.toISOString()})`;
}

export async function replayEvents(target: Target, options: ReplayOptions, report: Reporter): Promise<DescribeReplayResponse | undefined> {
  const { from, to } = options;
  if (!(from < to)) throw new TargetError('--from must be before --to');
  const busArn = required(target, 'eventBusArn');
  const archiveArn = required(target, 'eventArchiveArn');
  const events = new EventBridgeClient(target.clientConfig('EVENTBRIDGE'));
  const filterArns = options.detailType === undefined ? undefined : await rulesFor(events, busArn, options.detailType);
  const scope = filterArns === undefined ? 'every rule of the bus' : `${filterArns.length} rule(s): ${filterArns.map((arn) => arn.slice(arn.lastIndexOf('/') + 1)).join(', ')}`;
  if (options.dryRun) {
    report.out(`dry run: would replay the archive's events from ${from.toISOString()} to ${to.toISOString()} to ${scope}`);
    return undefined;
  }
  const name = `ops-${Date.now()}`;
  await events.send(new StartReplayCommand({
    ReplayName: name, EventSourceArn: archiveArn, EventStartTime: from, EventEndTime: to,
    Destination: { Arn: busArn, ...(filterArns === undefined ? {} : { FilterArns: filterArns }) },
  }));
  report.progress(`replay ${name} started: ${from.toISOString()} to ${to.toISOString()} to ${scope}`, true);
  for (;;) {
    const replay = await events.send(new DescribeReplayCommand({ ReplayName: name }));
    report.progress(`replay ${name}: ${progressOf(replay, from, to)}`, FINAL_STATES.has(replay.State ?? ''));
    if (FINAL_STATES.has(replay.State ?? '')) {
      report.out(`replay ${name} ${replay.State}${replay.StateReason ? ` (${replay.StateReason})` : ''}: ${from.toISOString()} to ${to.toISOString()} to ${scope}`);
      if (replay.State !== 'COMPLETED') throw new TargetError(`replay ${name} ended ${replay.State}`);
      return replay;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 5000));
  }
}
