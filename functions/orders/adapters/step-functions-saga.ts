import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sdkClient } from '../../shared/aws-clients';
import type { SagaStarter } from '../domain/orders';

const stepFunctionsClient = sdkClient(SFNClient, {});

const alreadyExists = (error: unknown) =>
  error instanceof ExecutionAlreadyExists || (error as { name?: string } | undefined)?.name === 'ExecutionAlreadyExists';

/**
 * Starts executions of one state machine by name. Step Functions keeps a name for 90 days, so a
 * second start of the same saga is refused with ExecutionAlreadyExists: the saga is already
 * under way (or done), which is what the caller wanted.
 */
export function stepFunctionsSaga(stateMachineArn: string): SagaStarter {
  return {
    async start(executionName, input) {
      try {
        await stepFunctionsClient().send(
          new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input) }),
        );
        return 'started';
      } catch (error) {
        if (alreadyExists(error)) return 'alreadyStarted';
        throw error;
      }
    },
  };
}
