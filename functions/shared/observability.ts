/**
 * The function's logger and metrics: one instance of each per execution environment; service
 * name and namespace come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_METRICS_NAMESPACE set by
 * ServiceFunction. Free of the middleware, so code that also runs outside a handler (the admin
 * script, the offline runtime) can load the stores without Middy.
 *
 * Tracing is Lambda's active tracing, not an SDK in the bundle: Lambda records every
 * invocation's segment, and the AWS SDK passes the invocation's trace header on to the services
 * it calls (its recursion-detection middleware sets X-Amzn-Trace-Id), so synchronous hops stay
 * in one trace. Powertools Tracer would add aws-xray-sdk-core to every bundle (40 % of its size,
 * about a fifth of its cold start), and the X-Ray SDKs reach end of support on 2027-02-25. The
 * hops the SDK cannot see (a table's stream, the bus) carry the header explicitly: see
 * {@link traceHeader}.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export const logger = new Logger();
export const metrics = new Metrics();

interface LambdaInvokeStore {
  getXRayTraceId(): string | undefined;
}

/**
 * The current invocation's X-Ray trace header (`Root=...;Parent=...;Sampled=...`), or undefined
 * outside a traced invocation. Lambda's runtime keeps it in the invoke store when invocations
 * share an environment, and in `_X_AMZN_TRACE_ID` otherwise (where the AWS SDK reads it too).
 */
export function traceHeader(): string | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: LambdaInvokeStore } }).awslambda?.InvokeStore;
  const header = store?.getXRayTraceId() ?? process.env._X_AMZN_TRACE_ID;
  return header ? header : undefined;
}
