/**
 * What a function's bundle holds, as deployed: the AWS SDK inside it (the versions of
 * package-lock.json, the ones the tests ran), only the SDK clients its code calls, and no X-Ray
 * SDK (tracing is Lambda's active tracing; see functions/shared/observability.ts). Each client
 * is recognised by the wire name only its own code carries.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledHandler } from '../../../lib/platform/bundle';

const ROOT = path.join(__dirname, '..', '..', '..');
const bundles = new Map<string, string>();
const bundleOf = (entry: string) => bundles.get(entry)!;

const CLIENTS = {
  dynamodb: 'DynamoDB_20120810',
  eventbridge: 'AWSEvents',
  stepFunctions: 'AWSStepFunctions',
  lambda: '/2015-03-31/functions/',
  secretsManager: 'secretsmanager',
} as const;
type Client = keyof typeof CLIENTS;

const HANDLERS: Record<string, Client[]> = {
  'functions/platform/handlers/outbox-relay.ts': ['eventbridge'],
  'functions/orders/handlers/place-order.ts': ['dynamodb', 'secretsManager'],
  'functions/orders/handlers/on-order-placed.ts': ['dynamodb', 'stepFunctions'],
  'functions/orders/handlers/cancel-order.ts': ['dynamodb', 'stepFunctions', 'lambda', 'secretsManager'],
  'functions/inventory/handlers/reserve-stock.ts': ['dynamodb'],
  'functions/notifications/handlers/on-event.ts': ['dynamodb'],
};

describe('function bundles', () => {
  // One esbuild pass over every handler: a few seconds alone, far more on a busy machine.
  beforeAll(() => {
    for (const entry of Object.keys(HANDLERS)) bundles.set(entry, readFileSync(path.join(bundledHandler(ROOT, entry), 'index.js'), 'utf8'));
  }, 180_000);

  for (const [entry, expected] of Object.entries(HANDLERS)) {
    it(`${entry} holds the SDK clients it calls (${expected.join(', ')}) and no other`, () => {
      const code = bundleOf(entry);
      const held = (Object.keys(CLIENTS) as Client[]).filter((client) => code.includes(CLIENTS[client]));
      expect(held.sort()).toEqual([...expected].sort());
    });
  }

  it('bundle the AWS SDK clients instead of requiring those of the Lambda runtime', () => {
    // (The SDK's optional native signer, @aws-sdk/signature-v4-crt, stays a guarded require.)
    const required = Object.keys(HANDLERS).flatMap((entry) => bundleOf(entry).match(/require\("@aws-sdk\/(client|lib)-[a-z-]+"\)/g) ?? []);
    expect(required).toEqual([]);
  });

  it('hold no X-Ray SDK', () => {
    expect(Object.keys(HANDLERS).filter((entry) => bundleOf(entry).includes('AWS_XRAY_DAEMON_ADDRESS'))).toEqual([]);
  });
});
