import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { allEvents, UserRegistered } from '../../functions/contracts/events';
import { domainEvent, outboxItem } from '../../functions/shared/events/outbox';
import { matchesEventPattern, type EventPattern } from '../../local/eventbridge/event-pattern';
import { synthesize, type Resources } from '../infra/synth';
import { samples } from './samples';
import { busEvent } from '../support/bus-event';

/** A sample as EventBridge delivers it to a rule's target. */
const sampleEvent = ({ event, data }: (typeof samples)[number]) => busEvent(event, data, { account: '111111111111' });

let resources: Resources;
beforeAll(() => {
  const app = synthesize('dev');
  resources = Object.assign({}, ...app.stacks.map((s) => app.resources(s.stackName)));
}, 120_000);

describe('the event catalog', () => {
  it('has one sample per event and no detail-type twice', () => {
    const names = allEvents.map((e) => e.detailType);
    expect(new Set(names).size).toBe(names.length);
    expect(samples.map((s) => s.event.detailType).sort()).toEqual([...names].sort());
  });

  it('builds every sample through its contract, and the consumer schema parses what the producer built', () => {
    for (const sample of samples) {
      const { detail } = domainEvent(sample.event, sample.data, 'corr-1');
      const parsed = sample.event.detail.parse(JSON.parse(JSON.stringify(detail)));
      expect(parsed.data).toEqual(sample.data);
      expect(parsed.metadata).toMatchObject({ correlationId: 'corr-1', version: 1 });
    }
  });

  it('refuses to build an event whose data breaks its schema', () => {
    const registered = samples.find((s) => s.event === UserRegistered)!;
    const broken = { ...(registered.data as Record<string, unknown>), userId: 42 };
    expect(() => domainEvent(registered.event, broken as never, 'c')).toThrow();
  });
});

describe('patterns in the CDK app', () => {
  it('every rule pattern names only catalogued events and matches a sample of each event it subscribes to', () => {
    const rules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule');
    for (const rule of rules) {
      const pattern = rule.Properties!.EventPattern as EventPattern & { 'detail-type'?: string[] };
      const subscribed = samples.filter((s) => pattern['detail-type']?.includes(s.event.detailType));
      expect(subscribed.length, JSON.stringify(pattern)).toBe(pattern['detail-type']?.length);
      for (const sample of subscribed) expect(matchesEventPattern(pattern, sampleEvent(sample))).toBe(true);
    }
  });

  it('the archive keeps every event', () => {
    const archive = Object.values(resources).find((r) => r.Type === 'AWS::Events::Archive')!;
    for (const sample of samples) {
      expect(matchesEventPattern(archive.Properties!.EventPattern as EventPattern, sampleEvent(sample)), sample.event.detailType).toBe(true);
    }
  });

  it("the outbox relay's stream filter selects inserted outbox items and nothing else", () => {
    const mapping = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventSourceMapping' && r.Properties!.FilterCriteria)!;
    const pattern = JSON.parse((mapping.Properties!.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]!.Pattern);
    const record = (eventName: string, item: object) => ({ eventName, dynamodb: { NewImage: marshall(item) } });
    const outbox = outboxItem(domainEvent(samples[0]!.event, samples[0]!.data, 'c'));
    expect(matchesEventPattern(pattern, record('INSERT', outbox))).toBe(true);
    expect(matchesEventPattern(pattern, record('MODIFY', outbox))).toBe(false);
    expect(matchesEventPattern(pattern, record('INSERT', { pk: 'USER#1', sk: 'PROFILE', kind: 'user' }))).toBe(false);
  });
});
