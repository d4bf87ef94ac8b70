/**
 * Saga executions for the console, read the way a client of Step Functions would
 * (ListExecutions, GetExecutionHistory on the local endpoint): each execution's path through its
 * states with every state's input and output, re-recorded whenever it moves on. It polls only
 * while a console is connected.
 */
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../dynamodb/local-dynamodb';
import type { StateMachineView } from './architecture';
import { clip, type ConsoleRecorder } from './recorder';

const POLL_MS = 500;

interface Step {
  state: string;
  type?: string;
  input?: string;
  output?: string;
  failed?: string;
  compensation: boolean;
}

/** The states an execution went through, in order, from its history. */
export function stepsOf(history: readonly HistoryEvent[], machine: StateMachineView): Step[] {
  const compensation = new Set(machine.states.filter((state) => state.compensation).map((state) => state.name));
  const steps: Step[] = [];
  for (const event of history) {
    const entered = event.stateEnteredEventDetails;
    const exited = event.stateExitedEventDetails;
    if (entered?.name) {
      steps.push({ state: entered.name, type: event.type?.replace(/StateEntered$/, ''), input: clip(entered.input ?? ''), compensation: compensation.has(entered.name) });
    } else if (exited?.name) {
      const step = steps.findLast((candidate) => candidate.state === exited.name && candidate.output === undefined);
      if (step) step.output = clip(exited.output ?? '');
    } else if (event.type?.endsWith('Failed') && steps.length > 0) {
      const details = event.taskFailedEventDetails ?? event.lambdaFunctionFailedEventDetails ?? event.executionFailedEventDetails;
      steps.at(-1)!.failed = [details?.error, details?.cause].filter(Boolean).join(': ') || event.type;
    }
  }
  return steps;
}

export function pollExecutions(endpoint: string, machines: readonly StateMachineView[], recorder: ConsoleRecorder): { stop(): void } {
  const client = new SFNClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  /** What was last recorded of each execution: its status and history length. */
  const seen = new Map<string, string>();
  let busy = false;
  const poll = async () => {
    if (busy || recorder.listenerCount === 0) return;
    busy = true;
    try {
      for (const machine of machines) {
        const { executions = [] } = await client.send(new ListExecutionsCommand({ stateMachineArn: machine.arn, maxResults: 100 }));
        for (const execution of executions) {
          const arn = execution.executionArn!;
          if (seen.get(arn)?.startsWith('done:')) continue;
          const { events = [] } = await client.send(new GetExecutionHistoryCommand({ executionArn: arn, maxResults: 1000, includeExecutionData: true }));
          const mark = `${execution.status === 'RUNNING' ? 'running' : 'done'}:${events.length}`;
          if (seen.get(arn) === mark) continue;
          seen.set(arn, mark);
          const started = events.find((event) => event.type === 'ExecutionStarted')?.executionStartedEventDetails?.input ?? '';
          recorder.record('execution', {
            arn,
            name: execution.name,
            machine: machine.name,
            status: execution.status,
            input: clip(started),
            steps: stepsOf(events, machine),
          });
        }
      }
    } catch {
      // The service is stopping, or not up yet: the next tick tries again.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), POLL_MS);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      client.destroy();
    },
  };
}
