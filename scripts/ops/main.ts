/**
 * `npm run ops -- <command>`: the operator's everyday chores (see cli.ts for the commands, and the
 * README's "Operate it" runbook for when to use which).
 */
import { stageFrom } from '../../lib/platform/stage';
import { parseInvocation, USAGE, UsageError, type Command, type TargetChoice } from './cli';
import { listDeadLetterQueues, redriveDeadLetters } from '../../ops/dlq';
import { replayEvents } from '../../ops/events';
import { flaggedOrders, rebuildOrders } from '../../ops/orders';
import { retryOrder } from '../../ops/retry';
import { rebuildSearch } from '../../ops/search';
import { consoleReporter, type Reporter } from '../../ops/report';
import { deployedTarget, localTarget, TargetError, type Target } from '../../ops/target';

function resolveTarget(choice: TargetChoice): Promise<Target> {
  if (choice.kind === 'local') return Promise.resolve(localTarget(choice.file));
  // The stage's name is checked as the app checks it.
  return deployedTarget(stageFrom(choice.stage).name);
}

/** Runs one command, printing on `report`; resolves to the exit code (1 when some of the work failed). */
export async function runCommand(command: Command, target: Target, dryRun: boolean, report: Reporter): Promise<number> {
  switch (command.name) {
    case 'dlq list':
      await listDeadLetterQueues(target, report);
      return 0;
    case 'dlq redrive': {
      const { failed } = await redriveDeadLetters(target, command.queue, { dryRun, ...(command.max === undefined ? {} : { max: command.max }) }, report);
      return failed > 0 ? 1 : 0;
    }
    case 'events replay':
      await replayEvents(target, { from: command.from, to: command.to, dryRun, ...(command.detailType === undefined ? {} : { detailType: command.detailType }) }, report);
      return 0;
    case 'orders flagged':
      await flaggedOrders(target, report);
      return 0;
    case 'orders retry':
      await retryOrder(target, command.orderId, { dryRun }, report);
      return 0;
    case 'rebuild orders':
      await rebuildOrders(target, { dryRun }, report);
      return 0;
    case 'rebuild search':
      await rebuildSearch(target, { dryRun }, report);
      return 0;
  }
}

/** The CLI: `argv` without the node and script; what it prints goes to `report`; resolves to the exit code. */
export async function runCli(argv: readonly string[], report: Reporter = consoleReporter()): Promise<number> {
  try {
    const invocation = parseInvocation(argv);
    if (invocation.help) {
      report.out(USAGE);
      return 0;
    }
    const target = await resolveTarget(invocation.target);
    return await runCommand(invocation.command, target, invocation.dryRun, report);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      report.error(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    report.error(error instanceof TargetError ? error.message : String((error as Error).stack ?? error));
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => process.exit(code));
}
