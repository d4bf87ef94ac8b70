/**
 * The orders stack in an app of its own, with stand-ins for the inventory and payments step
 * functions in another stack (the saga reaches them across stacks, as in the real app), and the
 * sagas' definitions as Step Functions receives them.
 */
import { Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { OrdersStack } from '../../../lib/orders/orders-stack';
import { synthesizeStack } from '../../support/stack';

export type { Resource } from '../../support/stack';

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
  let steps!: Stack;
  let stepFunctions!: Record<StepName, IFunction>;
  let shipmentClaim!: IFunction;
  const built = synthesizeStack(
    (app, platform) => {
      steps = new Stack(app, 'steps');
      const stub = (id: string) =>
        new LambdaFunction(steps, id, { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => ({})') });
      stepFunctions = {
        reserveStock: stub('ReserveStock'), releaseStock: stub('ReleaseStock'), commitStock: stub('CommitStock'), returnStock: stub('ReturnStock'),
        chargePayment: stub('ChargePayment'), refundPayment: stub('RefundPayment'),
      };
      // Shipping's claim, invoked by the cancel route: a function of another stack, as in the real app.
      shipmentClaim = stub('ClaimShipment');
      return new OrdersStack(app, 'orders', { platform, inventoryTasks: stepFunctions, paymentTasks: stepFunctions, shipmentClaim });
    },
    { stage, env: null },
  );
  const { resources, logicalId } = built;

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

  return { ...built, steps, stepFunctions, shipmentClaim, definitionOf };
}

export const functionArn = (logicalId: string) => `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`;
