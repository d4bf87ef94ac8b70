import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { marshall } from '@aws-sdk/util-dynamodb';
import { PaymentCaptured } from '../../../functions/contracts/events/payments';
import { domainEvent, outboxItem, relayedEvent } from '../../../functions/shared/events/outbox';
import { compileFilterCriteria } from '../../../local/lambda-event-sources/filter-criteria';
import { PaymentsStack } from '../../../lib/payments/payments-stack';
import { synthesizeStack, type Resource, type StackTest, type Statement } from '../../support/stack';
import { references } from '../../support/template';

let template: Template;
let resources: Record<string, Resource>;
let stack: PaymentsStack;
let logicalId: StackTest['logicalId'];
let statementsOf: StackTest['statementsOf'];

beforeAll(() => {
  ({ stack, template, resources, logicalId, statementsOf } = synthesizeStack(
    (app, platform) => new PaymentsStack(app, 'payments', { platform }),
    { env: null },
  ));
}, 120_000);

const actionsOf = (statements: Statement[]) => statements.flatMap((s) => ([] as string[]).concat(s.Action));

describe('PaymentsStack', () => {
  it('has one table, with the stream its outbox relay reads, and no index', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      GlobalSecondaryIndexes: Match.absent(),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      // Outbox records, and the payment itself when it carries its event (see the test below).
      FilterCriteria: { Filters: [{ Pattern: Match.stringLikeRegexp('"kind"') }, { Pattern: Match.stringLikeRegexp('"relay"') }] },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  it('relays a payment each time it is inserted or changed carrying an event, and no change without one', () => {
    const [mapping, ...others] = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(others).toEqual([]);
    const filters = (mapping!.Properties!.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((f) => f.Pattern);
    const relayed = compileFilterCriteria(filters, 'payments outbox relay');
    const captured = domainEvent(PaymentCaptured, { orderId: 'o1', paymentId: 'c1', amountCents: 100, currency: 'USD' }, 'corr');
    const payment = { pk: 'PAYMENT#o1', sk: 'PAYMENT', kind: 'payment', orderId: 'o1' };
    const record = (eventName: string, item: object) => ({ eventName, dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }) } });
    expect(relayed(record('MODIFY', { ...payment, status: 'CAPTURED', ...relayedEvent(captured) })), 'settled, with its event').toBe(true);
    expect(relayed(record('INSERT', outboxItem(captured))), 'an outbox record').toBe(true);
    expect(relayed(record('MODIFY', { ...payment, status: 'FAILED' })), 'an attempt: no event').toBe(false);
    expect(relayed(record('INSERT', { ...payment, status: 'FAILED' }))).toBe(false);
    expect(relayed(record('MODIFY', outboxItem(captured))), 'an outbox record is published once, when inserted').toBe(false);
    expect(relayed(record('REMOVE', { ...payment, ...relayedEvent(captured) }))).toBe(false);
  });

  it('exposes the getPayment route function and the two saga tasks, each with its own handler', () => {
    const functions = {
      getPayment: stack.routeFunctions.getPayment,
      chargePayment: stack.tasks.chargePayment,
      refundPayment: stack.tasks.refundPayment,
    };
    const ids = Object.values(functions).map((fn) => logicalId(fn));
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) {
      expect(resources[id]!.Type).toBe('AWS::Lambda::Function');
      expect(resources[id]!.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Environment: { Variables: { TABLE_NAME: { Ref: logicalId(stack.table) }, POWERTOOLS_SERVICE_NAME: 'payments' } },
      });
    }
    expect(resources[ids[0]!]!.Properties!.Description).toBe('GET /payments/{orderId}');
  });

  it('grants DynamoDB access on its own table only, never Scan or a wildcard', () => {
    const table = logicalId(stack.table);
    const dynamoStatements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement)
      // ListStreams (the relay's stream reader) supports no resource: it names no table either.
      .filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:') && a !== 'dynamodb:ListStreams'));
    expect(dynamoStatements.length).toBeGreaterThanOrEqual(4);
    for (const statement of dynamoStatements) {
      const targets = [...references(statement.Resource)];
      expect(targets).toEqual([table]);
      expect(actionsOf([statement])).not.toContain('dynamodb:Scan');
      expect(actionsOf([statement])).not.toContain('dynamodb:*');
    }
  });

  it('gives getPayment read-only table access and the signing secret, the saga tasks read-write and no secret', () => {
    const get = statementsOf(stack.routeFunctions.getPayment);
    expect(actionsOf(get).filter((a) => a.startsWith('dynamodb:')).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
    expect(actionsOf(get)).toContain('secretsmanager:GetSecretValue');

    for (const step of [stack.tasks.chargePayment, stack.tasks.refundPayment]) {
      const actions = actionsOf(statementsOf(step));
      expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem']));
      expect(actions.some((a) => a.startsWith('secretsmanager:'))).toBe(false);
      expect(actions.some((a) => a.startsWith('events:'))).toBe(false);
    }
  });

  it('lets only the outbox relay publish to the bus', () => {
    const publishers = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) => actionsOf((r.Properties!.PolicyDocument as { Statement: Statement[] }).Statement).includes('events:PutEvents'));
    expect(publishers).toHaveLength(1);
  });
});
