import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

export const STAGES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGES)[number];

/** How notifications leave the system. */
export type NotificationSenderConfig =
  /** Written to the notifications table instead of sent (every target can show them). */
  | { readonly kind: 'record' }
  /** Emailed through Amazon SES, from an address of a verified identity. */
  | { readonly kind: 'ses'; readonly fromAddress: string };

/**
 * The order saga's workflow type (`-c sagaWorkflow=EXPRESS|STANDARD`). STANDARD: every state runs
 * exactly once, an execution may last a year and its history is kept 90 days, a name already used
 * is refused; billed per state transition. EXPRESS: at least once, at most five minutes, history
 * in CloudWatch Logs only, no name de-duplication (every task is idempotent, so a duplicated
 * execution changes nothing); billed per request and duration, about a fifth of the cost per order.
 */
export const SAGA_WORKFLOWS = ['EXPRESS', 'STANDARD'] as const;
export type SagaWorkflow = (typeof SAGA_WORKFLOWS)[number];

/** Everything that differs between stages, decided in one place. */
export interface Stage {
  readonly name: StageName;
  readonly prod: boolean;
  readonly removalPolicy: RemovalPolicy;
  readonly logRetention: RetentionDays;
  readonly archiveRetention: Duration;
  /** prod: EXPRESS (the cost per order, see the README's Measure section); dev: STANDARD (each execution's history, to follow). */
  readonly sagaWorkflow: SagaWorkflow;
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * The one origin browsers may call the API from (Access-Control-Allow-Origin), wherever the
   * answer comes from: the gateway's preflight and its own error answers, and every route
   * function (ALLOWED_ORIGIN).
   */
  readonly allowedOrigin: string;
  /** `-c notificationSender=ses -c notificationFrom=shop@example.com` to email through SES. */
  readonly notificationSender: NotificationSenderConfig;
  /** The dashboard's fault switch (X-Fault-Inject), for tests; never on in prod. */
  readonly faultInjection: boolean;
}

export interface StageOptions {
  readonly sagaWorkflow?: unknown;
  readonly notificationSender?: unknown;
  readonly notificationFrom?: unknown;
}

function notificationSenderFrom({ notificationSender, notificationFrom }: StageOptions): NotificationSenderConfig {
  if (notificationSender === undefined || notificationSender === 'record') return { kind: 'record' };
  if (notificationSender === 'ses' && typeof notificationFrom === 'string' && notificationFrom.includes('@')) {
    return { kind: 'ses', fromAddress: notificationFrom };
  }
  throw new Error('notificationSender must be "record" or "ses" (with -c notificationFrom=<verified address>)');
}

function sagaWorkflowFrom(value: unknown, prod: boolean): SagaWorkflow {
  if (value === undefined) return prod ? 'EXPRESS' : 'STANDARD';
  const workflow = typeof value === 'string' ? value.toUpperCase() : value;
  if ((SAGA_WORKFLOWS as readonly unknown[]).includes(workflow)) return workflow as SagaWorkflow;
  throw new Error(`sagaWorkflow must be EXPRESS or STANDARD (-c sagaWorkflow=EXPRESS), not ${JSON.stringify(value)}`);
}

export function stageFrom(value: unknown, options: StageOptions = {}): Stage {
  if (value === undefined) return stageFrom('dev', options);
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
    sagaWorkflow: sagaWorkflowFrom(options.sagaWorkflow, prod),
    apiThrottle: prod ? { rateLimit: 500, burstLimit: 1000 } : { rateLimit: 50, burstLimit: 100 },
    allowedOrigin: '*',
    notificationSender: notificationSenderFrom(options),
    faultInjection: !prod,
  };
}
