import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** Everything that differs between stages, decided in one place. */
export interface Stage {
  readonly name: StageName;
  readonly prod: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  readonly archiveRetention: Duration;
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly allowedOrigins: string[];
}

export function stageFrom(value: unknown): Stage {
  if (value === undefined) return stageFrom('dev');
  if (typeof value !== 'string' || !(STAGES as readonly string[]).includes(value)) {
    throw new Error(`Unknown stage ${JSON.stringify(value)}: pass -c stage=dev or -c stage=prod`);
  }
  const name = value as StageName;
  const prod = name === 'prod';
  return {
    name,
    prod,
    removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    logRetention: prod ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_WEEK,
    archiveRetention: prod ? Duration.days(365) : Duration.days(7),
    apiThrottle: prod ? { rateLimit: 500, burstLimit: 1000 } : { rateLimit: 50, burstLimit: 100 },
    allowedOrigins: ['*'],
  };
}
