import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from './synth';

/** Lambda's runtime is nodejs24.x: this Node when it is 24, else the project's Node 24 from .ci/node.sh. */
export function node24(log: (line: string) => void): string {
  if (process.versions.node.split('.')[0] === '24') return process.execPath;
  const node = execFileSync('bash', [path.join(ROOT, '.ci', 'node.sh'), '--which'], { encoding: 'utf8' }).trim();
  log(`this Node is ${process.versions.node}, not 24 (Lambda's nodejs24.x): measuring with ${node}`);
  return node;
}
