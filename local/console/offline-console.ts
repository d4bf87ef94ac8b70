/**
 * The offline console (`/_console` on the local API's port): watch the app work. It is the
 * composition of the console's parts: the recorder, the observers the runtime hangs on its
 * services, the saga poller, the data views and the HTTP side. The runtime creates it once the
 * app is resolved, and attaches Step Functions and the bus when they are up.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PutEventsEntry } from '../eventbridge/event-bus-service';
import type { LocalAssembly, RunningService } from '../types';
import { architectureOf } from './architecture';
import { consoleHttp, CONSOLE_PATH, isConsolePath } from './console-http';
import { pollExecutions } from './executions-poller';
import { createObservers, type ConsoleObservers } from './observers';
import { ConsoleRecorder } from './recorder';
import { consoleResources } from './resources';

export { isConsolePath, CONSOLE_PATH };

export interface OfflineConsole extends RunningService, ConsoleObservers {
  /** Called when Step Functions and the bus are up: the saga poller and redrive need them. */
  attach(services: { stepFunctionsEndpoint: string; putEvents(entries: readonly PutEventsEntry[]): Promise<unknown> }): void;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export function createOfflineConsole(assembly: LocalAssembly, endpoints: { dynamo: string; sqs: string }): OfflineConsole {
  const recorder = new ConsoleRecorder();
  const architecture = architectureOf(assembly);
  const late: { putEvents?: (entries: readonly PutEventsEntry[]) => Promise<unknown>; poller?: { stop(): void } } = {};
  const resources = consoleResources({
    architecture,
    dynamoEndpoint: endpoints.dynamo,
    sqsEndpoint: endpoints.sqs,
    putEvents: (entries) => {
      if (!late.putEvents) throw new Error('the event bus is not running yet');
      return late.putEvents(entries);
    },
  });
  const http = consoleHttp({ recorder, architecture, resources });
  return {
    ...createObservers(assembly, recorder),
    attach({ stepFunctionsEndpoint, putEvents }) {
      late.putEvents = putEvents;
      late.poller = pollExecutions(stepFunctionsEndpoint, architecture.stateMachines, recorder);
    },
    handle: (req, res) => http.handle(req, res),
    async stop() {
      late.poller?.stop();
      http.stop();
      resources.stop();
    },
  };
}
