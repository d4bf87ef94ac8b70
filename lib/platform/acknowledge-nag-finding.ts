import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Records that a cdk-nag finding on `scope` is accepted on purpose. Every call names the
 * exact finding (rule and, where the rule reports one, the action or resource) and says why.
 */
export function acknowledgeNagFinding(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: finding, reason });
}
