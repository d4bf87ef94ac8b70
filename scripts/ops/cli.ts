/** The ops CLI's command line: which command, on which target, with which options. */
import { parseArgs } from 'node:util';

export const USAGE = `usage: npm run ops -- <command> [options]

Commands:
  dlq list                          every dead-letter queue, its depth and where it redrives to
  dlq redrive <queue>               sends a DLQ's messages back to their queue or consumer
                                    (<queue>: its name, URL, or a fragment only it matches)
  events replay --from T --to T     replays the bus archive over [from, to) (ISO 8601 times)
         [--detail-type TYPE]       only to the rules that select TYPE
  orders flagged                    orders a saga handed to an operator (needsOperator)
  orders retry <orderId>            runs the compensation path the flagged order's saga gave
                                    up on again (from the order and its flag), then removes
                                    the flag
  rebuild orders                    makes each order's view again from its events (newest
                                    snapshot first): writes missing ones, rewrites drift
  rebuild search                    checks the search projection against the catalog table;
                                    rewrites drift, removes products the catalog lacks

Target (one of):
  --stage dev|prod                  a deployed stage, found from its stacks' outputs
                                    (AWS_PROFILE / AWS_REGION as for the AWS CLI); default dev
  --local                           the offline runtime (npm start), from cdk.out/local-runtime.json
  --runtime-file FILE               the offline runtime described by FILE (implies --local)

Options:
  --dry-run                         says what a writing command would do, and writes nothing
  --max N                           dlq redrive: at most N messages
  -h, --help                        this help`;

export type Command =
  | { readonly name: 'dlq list' }
  | { readonly name: 'dlq redrive'; readonly queue: string; readonly max?: number }
  | { readonly name: 'events replay'; readonly from: Date; readonly to: Date; readonly detailType?: string }
  | { readonly name: 'orders flagged' }
  | { readonly name: 'orders retry'; readonly orderId: string }
  | { readonly name: 'rebuild orders' }
  | { readonly name: 'rebuild search' };

export type TargetChoice = { readonly kind: 'stage'; readonly stage: string } | { readonly kind: 'local'; readonly file?: string };

export type Invocation =
  | { readonly help: true }
  | { readonly help: false; readonly command: Command; readonly target: TargetChoice; readonly dryRun: boolean };

export class UsageError extends Error {}

function date(value: string | undefined, flag: string): Date {
  if (value === undefined) throw new UsageError(`events replay needs ${flag} (an ISO 8601 time, e.g. 2026-12-01T10:00:00Z)`);
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new UsageError(`${flag} must be an ISO 8601 time, not "${value}"`);
  return parsed;
}

type Values = Record<string, string | boolean | undefined>;

function command(words: readonly string[], values: Values): Command {
  const [group, verb, argument, ...extra] = words;
  const name = `${group ?? ''} ${verb ?? ''}`;
  const noMore = (count: number) => {
    if (words.length > count) throw new UsageError(`unexpected argument "${words[count]}"`);
  };
  switch (name) {
    case 'dlq list': case 'orders flagged': case 'rebuild orders': case 'rebuild search':
      noMore(2);
      return { name };
    case 'dlq redrive': {
      if (argument === undefined) throw new UsageError('dlq redrive needs the queue: npm run ops -- dlq redrive <queue> (see dlq list)');
      if (extra.length > 0) noMore(3);
      const max = values.max === undefined ? undefined : Number(values.max);
      if (max !== undefined && (!Number.isInteger(max) || max < 1)) throw new UsageError(`--max must be a positive whole number, not "${String(values.max)}"`);
      return { name, queue: argument, ...(max === undefined ? {} : { max }) };
    }
    case 'orders retry':
      if (argument === undefined) throw new UsageError('orders retry needs the order: npm run ops -- orders retry <orderId> (see orders flagged)');
      noMore(3);
      return { name, orderId: argument };
    case 'events replay': {
      noMore(2);
      const detailType = values['detail-type'];
      return { name, from: date(values.from as string | undefined, '--from'), to: date(values.to as string | undefined, '--to'), ...(typeof detailType === 'string' ? { detailType } : {}) };
    }
    default:
      throw new UsageError(words.length === 0 ? 'no command given' : `unknown command "${words.join(' ')}"`);
  }
}

export function parseInvocation(argv: readonly string[]): Invocation {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      stage: { type: 'string' },
      local: { type: 'boolean' },
      'runtime-file': { type: 'string' },
      'dry-run': { type: 'boolean' },
      max: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'detail-type': { type: 'string' },
    },
  });
  if (values.help) return { help: true };
  const local = values.local === true || values['runtime-file'] !== undefined;
  if (local && values.stage !== undefined) throw new UsageError('--stage and --local are two targets: give one');
  const file = values['runtime-file'];
  const target: TargetChoice = local ? { kind: 'local', ...(file === undefined ? {} : { file }) } : { kind: 'stage', stage: values.stage ?? 'dev' };
  return { help: false, command: command(positionals, values), target, dryRun: values['dry-run'] === true };
}
