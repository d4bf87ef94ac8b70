import { Duration, Stack } from 'aws-cdk-lib';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import {
  LambdaApplication, LambdaDeploymentConfig, LambdaDeploymentGroup, TimeBasedCanaryTrafficRouting, type ILambdaDeploymentConfig,
} from 'aws-cdk-lib/aws-codedeploy';
import type { Alias } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { acknowledgeNagFinding } from './acknowledge-nag-finding';
import type { Canary } from './stage';

/** CodeDeploy's own canary configurations, by `percent:minutes`: used as they are, no resource needed. */
const PREDEFINED: Record<string, ILambdaDeploymentConfig> = {
  '10:5': LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
  '10:10': LambdaDeploymentConfig.CANARY_10PERCENT_10MINUTES,
  '10:15': LambdaDeploymentConfig.CANARY_10PERCENT_15MINUTES,
  '10:30': LambdaDeploymentConfig.CANARY_10PERCENT_30MINUTES,
};

/** One per stack, made on first use: what every function's deployment group of the stack shares. */
function shared<T extends Construct>(scope: Construct, id: string, make: (stack: Stack) => T): T {
  const stack = Stack.of(scope);
  return (stack.node.tryFindChild(id) as T | undefined) ?? make(stack);
}

/**
 * Rolls `alias` out as a canary: CodeDeploy shifts `canary.percent` of its traffic to the new
 * version, waits `canary.minutes`, then shifts the rest; any of `alarms` firing on the way (the
 * function's own errors and throttles, measured on the alias) rolls the alias back to the old
 * version. CloudFormation waits for it: a deployment succeeds only once the canary has.
 */
export function canaryDeployment(scope: Construct, alias: Alias, alarms: readonly IAlarm[], canary: Canary): LambdaDeploymentGroup {
  const key = `${canary.percent}:${canary.minutes}`;
  const deploymentConfig = PREDEFINED[key] ?? shared(scope, 'CanaryConfig', (stack) => new LambdaDeploymentConfig(stack, 'CanaryConfig', {
    trafficRouting: new TimeBasedCanaryTrafficRouting({ percentage: canary.percent, interval: Duration.minutes(canary.minutes) }),
  }));
  const application = shared(scope, 'Deployments', (stack) => new LambdaApplication(stack, 'Deployments'));
  const group = new LambdaDeploymentGroup(scope, 'Deployment', {
    application,
    alias,
    deploymentConfig,
    alarms: [...alarms],
    autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
  });
  acknowledgeNagFinding(
    group.role,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited]',
    "CodeDeploy's own managed policy for Lambda canaries: it may only read and shift the aliases and versions of the functions it deploys",
  );
  return group;
}
