/**
 * Offline, every function runs in a worker thread of this process, so on this machine's Node;
 * Lambda runs it on the Node of its runtime (`nodejs24.x` → 24). A different major can hide a
 * failure or invent one (APIs added or removed, the AWS SDK's supported range), so the runtime
 * says so, in one line, when the two differ.
 */
import type { LocalAssembly } from '../types';

const NODE_RUNTIME = /^nodejs(\d+)\.x$/;

/** The notice's shape, for whoever reads the runtime's output (the e2e suite's global setup). */
export const NODE_MISMATCH_LINE = /^Node (\S+) runs the functions here, Lambda runs them on nodejs(\d+)\.x/;

/** The Node major of a Lambda runtime identifier (`nodejs24.x` → 24); undefined for any other runtime. */
export function nodeMajorOf(runtime: string): number | undefined {
  const match = NODE_RUNTIME.exec(runtime);
  return match ? Number(match[1]) : undefined;
}

/**
 * The line to print when the app's Node functions declare a major other than this process's
 * (`hostVersion`, e.g. `22.13.0`); undefined when they all match.
 */
export function nodeMismatchNotice(assembly: Pick<LocalAssembly, 'ofType'>, hostVersion: string = process.versions.node): string | undefined {
  const host = Number(hostVersion.split('.')[0]);
  const declared = assembly
    .ofType('AWS::Lambda::Function')
    .map((fn) => nodeMajorOf(typeof fn.properties.Runtime === 'string' ? fn.properties.Runtime : ''));
  const others = [...new Set(declared)].filter((major): major is number => major !== undefined && major !== host).sort((a, b) => a - b);
  if (others.length === 0) return undefined;
  const runtimes = others.map((major) => `nodejs${major}.x`).join(', ');
  return `Node ${hostVersion} runs the functions here, Lambda runs them on ${runtimes}: start with Node ${others[0]} for parity (e.g. \`source .ci/node.sh\`)`;
}
