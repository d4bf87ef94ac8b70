import { describe, expect, it } from 'vitest';
import { NODE_MISMATCH_LINE, nodeMajorOf, nodeMismatchNotice } from '../../local/lambda/node-parity';
import type { LocalResource } from '../../local/types';
import { assemblyOf } from '../support/local-assembly';

const resource = (logicalId: string, type: string, properties: Record<string, unknown>): LocalResource => ({
  stackName: 'commerce-dev-users',
  logicalId,
  type,
  ref: logicalId,
  properties,
  metadata: {},
});
const fn = (logicalId: string, runtime?: string) =>
  resource(logicalId, 'AWS::Lambda::Function', runtime === undefined ? {} : { Runtime: runtime });

describe('nodeMajorOf', () => {
  it("reads the Node major of a Lambda runtime and nothing else's", () => {
    expect(nodeMajorOf('nodejs24.x')).toBe(24);
    expect(nodeMajorOf('nodejs22.x')).toBe(22);
    expect(nodeMajorOf('python3.13')).toBeUndefined();
    expect(nodeMajorOf('provided.al2023')).toBeUndefined();
    expect(nodeMajorOf('nodejs24.xx')).toBeUndefined();
  });
});

describe('nodeMismatchNotice', () => {
  const app = assemblyOf([fn('Register', 'nodejs24.x'), fn('Login', 'nodejs24.x'), resource('Table', 'AWS::DynamoDB::Table', { Runtime: 'nodejs20.x' })]);

  it('says nothing when the functions run on this Node major', () => {
    expect(nodeMismatchNotice(app, '24.22.3')).toBeUndefined();
    expect(nodeMismatchNotice(app, '24.0.0')).toBeUndefined();
  });

  it('prints one line naming both versions and how to get Lambda\'s when they differ', () => {
    const notice = nodeMismatchNotice(app, '22.13.0');
    expect(notice).toBe(
      'Node 22.13.0 runs the functions here, Lambda runs them on nodejs24.x: start with Node 24 for parity (e.g. `source .ci/node.sh`)',
    );
    expect(notice).not.toContain('\n');
    expect(NODE_MISMATCH_LINE.exec(notice!)?.slice(1)).toEqual(['22.13.0', '24']);
    expect(nodeMismatchNotice(app, '26.1.0')).toMatch(/^Node 26\.1\.0 runs the functions here, Lambda runs them on nodejs24\.x/);
  });

  it('names every other runtime once, and ignores functions that are not Node', () => {
    const mixed = assemblyOf([fn('A', 'nodejs24.x'), fn('B', 'nodejs22.x'), fn('C', 'nodejs22.x'), fn('D', 'python3.13'), fn('E')]);
    expect(nodeMismatchNotice(mixed, '24.1.0')).toMatch(/^Node 24\.1\.0 runs the functions here, Lambda runs them on nodejs22\.x: start with Node 22/);
    expect(nodeMismatchNotice(mixed, '20.19.0')).toMatch(/Lambda runs them on nodejs22\.x, nodejs24\.x: start with Node 22/);
    expect(nodeMismatchNotice(assemblyOf([fn('D', 'python3.13')]), '20.19.0')).toBeUndefined();
  });
});
