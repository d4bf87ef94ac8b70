import type { RestApiBase } from 'aws-cdk-lib/aws-apigateway';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { WafLimits } from './stage';

export interface ApiWebAclProps {
  readonly api: RestApiBase;
  readonly limits: WafLimits;
}

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/**
 * A WAF web ACL in front of the API stage: each client IP may make `limits.perIp` requests in 5
 * minutes, and `limits.authPerIp` to /auth/* (login and register: password guessing and sign-up
 * floods), beyond which WAF blocks it (403) until its rate falls. Everything else is allowed:
 * the functions validate and authorize every request themselves.
 */
export class ApiWebAcl extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiWebAclProps) {
    super(scope, id);
    const rateRule = (name: string, priority: number, limit: number, scopeDownStatement?: CfnWebACL.StatementProperty): CfnWebACL.RuleProperty => ({
      name,
      priority,
      action: { block: {} },
      statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: 300, scopeDownStatement } },
      visibilityConfig: visibility(name),
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'Per-IP rate limits in front of the commerce API, stricter on /auth/*',
      visibilityConfig: visibility('CommerceApi'),
      rules: [
        // The stricter rule first: WAF stops at the first rule that blocks.
        rateRule('AuthRatePerIp', 0, props.limits.authPerIp, {
          byteMatchStatement: {
            // The path WAF sees includes the stage (/prod/auth/login): match the segment anywhere.
            searchString: '/auth/',
            fieldToMatch: { uriPath: {} },
            positionalConstraint: 'CONTAINS',
            textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
          },
        }),
        rateRule('RatePerIp', 1, props.limits.perIp),
      ],
    });
    new CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
