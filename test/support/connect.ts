import { connect } from 'node:net';

/** Tries one TCP connection: 'connected', 'timeout', or the connection error's code (e.g. ECONNREFUSED). */
export function connectTo(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const settle = (result: string) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(5_000, () => settle('timeout'));
    socket.once('connect', () => settle('connected'));
    socket.once('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message));
  });
}
