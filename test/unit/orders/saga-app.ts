/**
 * The orders stack in an app of its own, with stand-ins for the inventory and payments step
 * functions in another stack (the saga reaches them across stacks, as in the real app), and the
 * sagas' definitions as Step Functions receives them.
 */
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { OrdersStack } from '../../../lib/orders/orders-stack';
import { PlatformStack } from '../../../lib/platform/platform-stack';
import { stageFrom } from '../../../lib/platform/stage';

export type Resource = { Type: string; Properties?: Record<string, unknown> };

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  JitterStrategy?: string;
}
export interface Catcher {
  ErrorEquals: string[];
  ResultPath?: string;
  Next: string;
}
export interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Retry?: Retrier[];
  Catch?: Catcher[];
  TimeoutSeconds?: number;
  ResultPath?: string;
  Parameters?: Record<string, unknown>;
  ErrorPath?: string;
  Cause?: string;
}
export interface Definition {
  StartAt: string;
  States: Record<string, State>;
}

export type StepName = 'reserveStock' | 'releaseStock' | 'commitStock' | 'returnStock' | 'chargePayment' | 'refundPayment';

export function buildOrdersApp(stage: 'dev' | 'prod' = 'dev') {
  const app = new App({ context: { stage } });
  const platform = new PlatformStack(app, 'platform', { stage: stageFrom(stage) });
  const steps = new Stack(app, 'steps');
  const stub = (id: string) =>
    new LambdaFunction(steps, id, { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') });
  const stepFunctions: Record<StepName, IFunction> = {
    reserveStock: stub('ReserveStock'), releaseStock: stub('ReleaseStock'), commitStock: stub('CommitStock'), returnStock: stub('ReturnStock'),
    chargePayment: stub('ChargePayment'), refundPayment: stub('RefundPayment'),
  };
  // Shipping's claim, invoked by the cancel route: a function of another stack, as in the real app.
  const shipmentClaim = stub('ClaimShipment');
  const stack = new OrdersStack(app, 'orders', { platform, inventoryTasks: stepFunctions, paymentTasks: stepFunctions, shipmentClaim });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;

  const logicalId = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);

  /** The definition with each function ARN rendered as `arn:aws:lambda:us-east-1:000000000000:function:<logical id>` (of whichever stack). */
  function definitionOf(machine: IConstruct): Definition {
    const joined = (resources[logicalId(machine)]!.Properties!.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const text = joined
      .map((part) => {
        if (typeof part === 'string') return part;
        const token = part as Record<string, unknown>;
        if (token['Fn::GetAtt']) return functionArn((token['Fn::GetAtt'] as string[])[0]!);
        const imported = String(token['Fn::ImportValue']);
        const producer = Object.values(stepFunctions).find((fn) => imported.includes(`FnGetAtt${logicalId(fn)}Arn`));
        if (!producer) throw new Error(`Unexpected reference ${JSON.stringify(part)}`);
        return functionArn(logicalId(producer));
      })
      .join('');
    return JSON.parse(text) as Definition;
  }

  return { app, stack, steps, stepFunctions, shipmentClaim, template, resources, logicalId, definitionOf };
}

export const functionArn = (logicalId: string) => `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`;
