import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sdkClient } from '../../shared/aws-clients';
import { traceHeader } from '../../shared/observability';
import type { SagaStarter } from '../domain/orders';

const stepFunctionsClient = /* @__PURE__ */ sdkClient(SFNClient, {});

const alreadyExists = (error: unknown) =>
  error instanceof ExecutionAlreadyExists || (error as { name?: string } | undefined)?.name === 'ExecutionAlreadyExists';

/**
 * Starts executions of one state machine by name. A Standard state machine keeps a name for 90
 * days, so a second start of the same saga is refused with ExecutionAlreadyExists: the saga is
 * already under way (or done), which is what the caller wanted. An Express one de-duplicates
 * nothing: a second start runs the saga again, and its tasks, idempotent, change nothing more.
 * The execution joins the caller's trace (the OrderPlaced event's, which the bus carried from
 * the request that placed the order).
 */
export function stepFunctionsSaga(stateMachineArn: string): SagaStarter {
  return {
    async start(executionName, input) {
      try {
        await stepFunctionsClient().send(
          new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input), traceHeader: traceHeader() }),
        );
        return 'started';
      } catch (error) {
        if (alreadyExists(error)) return 'alreadyStarted';
        throw error;
      }
    },
  };
}
