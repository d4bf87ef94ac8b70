import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../support/http';

// The project's tests run with metrics disabled: this file turns them on, for its own modules.
let stack: typeof import('../../../functions/shared/middleware-stack');
let observability: typeof import('../../../functions/shared/observability');

beforeAll(async () => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  // As Lambda sets it: Powertools counts a cold start only in an on-demand environment.
  vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
  vi.resetModules();
  stack = await import('../../../functions/shared/middleware-stack');
  observability = await import('../../../functions/shared/observability');
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** What the invocations wrote to stdout and stderr, one entry per write. */
async function written(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await run();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines;
}

const metricNames = (line: string): string[] =>
  (JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } })._aws.CloudWatchMetrics.flatMap((set) => set.Metrics.map((metric) => metric.Name));

describe('withObservability: metrics', () => {
  it('writes the cold start once, what an invocation recorded after it (also when it throws), and nothing for an invocation that recorded nothing', async () => {
    const handler = stack.withObservability<{ count?: boolean; fail?: boolean }, string>().handler(async (event) => {
      if (event.count) observability.metrics.addMetric('ThingsDone', MetricUnit.Count, 1);
      if (event.fail) throw new Error('the handler failed');
      return 'done';
    });

    const first = await written(() => handler({}, lambdaContext()));
    expect(first.map(metricNames)).toEqual([['ColdStart']]);

    expect(await written(() => handler({}, lambdaContext()))).toEqual([]);

    const counted = await written(() => handler({ count: true }, lambdaContext()));
    expect(counted.map(metricNames)).toEqual([['ThingsDone']]);

    const failed = await written(() => expect(handler({ count: true, fail: true }, lambdaContext())).rejects.toThrow('the handler failed'));
    expect(failed.map(metricNames)).toEqual([['ThingsDone']]);

    expect(await written(() => handler({}, lambdaContext()))).toEqual([]);
  });
});
