/**
 * us-east-1 list prices, the one table the cost model reads. Read from the AWS pricing pages
 * (aws.amazon.com/<service>/pricing) as of PRICES_READ; check them before relying on a figure.
 */
export const PRICES_READ =
  'read 2025-01 (DynamoDB on-demand after the Nov 2024 cut); checked 2026-12-03 where the docs at hand show figures ' +
  "(Lambda $0.20 per 1M requests; its INIT billed since 2025-08-01; DynamoDB's unit rules), the rate tables of the pricing pages could not be re-read";

export const PRICES = {
  /** API Gateway REST API, first 333M requests a month. */
  apiGatewayRestPerRequest: 3.5 / 1e6,
  /** Lambda requests, any architecture. */
  lambdaPerRequest: 0.2 / 1e6,
  /** Lambda duration on arm64, first 7.5B GB-s a month (x86: 0.0000166667). */
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaX86PerGbSecond: 0.0000166667,
  /** Step Functions Standard: per state transition. */
  sfnStandardPerTransition: 0.025 / 1000,
  /** Step Functions Express: per execution, plus duration per GB-s (billed per 100 ms, 64 MB minimum). */
  sfnExpressPerRequest: 1 / 1e6,
  sfnExpressPerGbSecond: 0.00001667,
  /** EventBridge custom events published (per 64 KB chunk). */
  eventBridgePerEvent: 1 / 1e6,
  /** SQS standard queue requests (send, receive, delete each count). */
  sqsPerRequest: 0.4 / 1e6,
  /** DynamoDB on-demand. */
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
} as const;
