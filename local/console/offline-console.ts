/**
 * The offline console (`/_console` on the local API's port): watch the app work. It is the
 * composition of the console's parts: the recorder, the observers the runtime hangs on its
 * services, the saga poller, the data views and the HTTP side. The runtime creates it once the
 * app is resolved, and attaches the services' endpoints once they are all up.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Service } from '../../ops/target';
import type { LocalAssembly, RunningService } from '../types';
import { architectureOf } from './architecture';
import { consoleHttp, CONSOLE_PATH, isConsolePath } from './console-http';
import { pollExecutions } from './executions-poller';
import { createObservers, type ConsoleObservers } from './observers';
import { ConsoleRecorder } from './recorder';
import { consoleResources, type ConsoleResources } from './resources';

export { isConsolePath, CONSOLE_PATH };

export interface OfflineConsole extends RunningService, ConsoleObservers {
  /** The local services' endpoints, once all are up: the saga poller, the data views and redrive need them. */
  attach(endpoints: Readonly<Record<Service, string>>): void;
  handle(req: IncomingMessage, res: ServerResponse): void;
}

export function createOfflineConsole(assembly: LocalAssembly): OfflineConsole {
  const recorder = new ConsoleRecorder();
  const architecture = architectureOf(assembly);
  const late: { resources?: ConsoleResources; poller?: { stop(): void } } = {};
  const http = consoleHttp({ recorder, architecture, resources: () => late.resources });
  return {
    ...createObservers(assembly, recorder),
    attach(endpoints) {
      late.resources = consoleResources(architecture, assembly.outputs, endpoints);
      late.poller = pollExecutions(endpoints.SFN, architecture.stateMachines, recorder);
    },
    handle: (req, res) => http.handle(req, res),
    async stop() {
      late.poller?.stop();
      http.stop();
      late.resources?.stop();
    },
  };
}
