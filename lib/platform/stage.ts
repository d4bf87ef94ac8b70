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
  /** `-c alarmEmail=ops@example.com`: subscribed to the alarm topic. Without it, alarms reach nobody (synth warns). */
  readonly alarmEmail: string | undefined;
  /**
   * prod: every function behind a `live` alias, rolled out by CodeDeploy as a canary (`-c canary=10:5`,
   * percent:minutes) that rolls back on the function's alarms. dev (LocalStack: no CodeDeploy): none.
   */
  readonly canary: Canary | undefined;
  /** prod: reserved concurrency (bulkheads) and SQS consumers' maximum concurrency. dev: none. */
  readonly concurrency: Concurrency | undefined;
  /** prod: the WAF web ACL's per-IP rate limits (requests per 5 minutes). dev (LocalStack: no WAF): none. */
  readonly waf: WafLimits | undefined;
}

export interface Canary {
  /** The share of traffic the new version gets first. */
  readonly percent: number;
  /** How long it gets it before CodeDeploy shifts the rest (or rolls back on an alarm). */
  readonly minutes: number;
}

/**
 * Concurrency per function, from `-c concurrency='{"login":50,...}'` (or the same object in
 * cdk.json), each key optional. Reserved concurrency is taken out of the account's quota, and
 * Lambda refuses to leave less than 100 unreserved: the sum must stay at or under
 * `accountLimit - 100`, which synth checks.
 */
export interface Concurrency {
  /** POST /auth/login: capped so a credential-stuffing flood cannot take the account's concurrency. */
  readonly login: number;
  /** POST /auth/register: capped likewise. */
  readonly register: number;
  /** Each saga task (10 of them): guaranteed, so the saga keeps running whatever else is flooded. */
  readonly sagaTask: number;
  /** Each SQS consumer's maximum concurrency (its event source mapping; 2 to 1000). */
  readonly queueConsumer: number;
  /** The account's concurrent executions quota in the region. */
  readonly accountLimit: number;
}

export interface WafLimits {
  /** Requests one IP may make in 5 minutes, to any route. */
  readonly perIp: number;
  /** Requests one IP may make in 5 minutes to /auth/*. */
  readonly authPerIp: number;
}

/** Fits an account with the default quota (1000): 50 + 20 + 10 × 20 = 270 reserved, 730 left unreserved. */
export const DEFAULT_CONCURRENCY: Concurrency = { login: 50, register: 20, sagaTask: 20, queueConsumer: 10, accountLimit: 1000 };
export const DEFAULT_CANARY: Canary = { percent: 10, minutes: 5 };
export const DEFAULT_WAF_LIMITS: WafLimits = { perIp: 2000, authPerIp: 100 };
/** What Lambda keeps unreserved in every account. */
export const UNRESERVED_MINIMUM = 100;

export interface StageOptions {
  readonly sagaWorkflow?: unknown;
  readonly notificationSender?: unknown;
  readonly notificationFrom?: unknown;
  readonly alarmEmail?: unknown;
  readonly canary?: unknown;
  readonly concurrency?: unknown;
}

function alarmEmailFrom(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return value;
  throw new Error(`alarmEmail must be an e-mail address (-c alarmEmail=ops@example.com), not ${JSON.stringify(value)}`);
}

function canaryFrom(value: unknown): Canary {
  if (value === undefined) return DEFAULT_CANARY;
  const match = typeof value === 'string' ? /^(\d{1,2}):(\d{1,3})$/.exec(value) : null;
  const [percent, minutes] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (percent < 1 || percent > 99 || minutes < 1) {
    throw new Error(`canary must be <percent 1-99>:<minutes ≥ 1> (-c canary=10:5), not ${JSON.stringify(value)}`);
  }
  return { percent, minutes };
}

function concurrencyFrom(value: unknown): Concurrency {
  const given: unknown = typeof value === 'string' ? JSON.parse(value) : (value ?? {});
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new Error('concurrency must be an object of numbers');
  const unknownKeys = Object.keys(given).filter((key) => !(key in DEFAULT_CONCURRENCY));
  if (unknownKeys.length > 0) throw new Error(`concurrency has unknown keys: ${unknownKeys.join(', ')}`);
  const concurrency = { ...DEFAULT_CONCURRENCY, ...given } as Concurrency;
  for (const [key, n] of Object.entries(concurrency)) {
    if (!Number.isInteger(n) || (n as number) < 1) throw new Error(`concurrency.${key} must be a positive integer, not ${JSON.stringify(n)}`);
  }
  if (concurrency.queueConsumer < 2 || concurrency.queueConsumer > 1000) throw new Error('concurrency.queueConsumer must be 2 to 1000 (SQS maximum concurrency)');
  return concurrency;
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
    alarmEmail: alarmEmailFrom(options.alarmEmail),
    canary: prod ? canaryFrom(options.canary) : undefined,
    concurrency: prod ? concurrencyFrom(options.concurrency) : undefined,
    waf: prod ? DEFAULT_WAF_LIMITS : undefined,
  };
}
