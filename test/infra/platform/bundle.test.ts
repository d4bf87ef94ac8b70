/**
 * What a function's bundle holds, as deployed: the AWS SDK inside it (the versions of
 * package-lock.json, the ones the tests ran), only the SDK clients its code calls, no X-Ray
 * SDK (tracing is Lambda's active tracing; see functions/shared/observability.ts), and only the
 * route contracts (zod schemas, built at cold start) of the routes it serves or calls. Each client
 * is recognised by the wire name only its own code carries, each route by its path.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundledHandler } from '../../../lib/platform/bundle';
import { buildOpenApiDocument } from '../../../functions/contracts/openapi';
import { handlerFileName, routes, type RouteId, type RouteOwner } from '../../../functions/contracts/routes';
import { apiEvent } from '../../support/http';

const ROOT = path.join(__dirname, '..', '..', '..');
const bundles = new Map<string, string>();
const bundleOf = (entry: string) => bundles.get(entry)!;

const CLIENTS = {
  dynamodb: 'DynamoDB_20120810',
  eventbridge: 'AWSEvents',
  stepFunctions: 'AWSStepFunctions',
  lambda: '/2015-03-31/functions/',
  secretsManager: 'secretsmanager',
  ssm: 'AmazonSSM',
} as const;
type Client = keyof typeof CLIENTS;

/**
 * The owners whose routes a route function calls besides its own. The OpenAPI function builds
 * none of the others: it serves the document written beside its bundle when bundling.
 */
const CALLS: Partial<Record<RouteId, RouteOwner[]>> = {
  getCart: ['catalog'], putCartItem: ['catalog'], deleteCartItem: ['catalog'], checkout: ['orders'],
  dashboard: ['users', 'orders', 'notifications'],
};
const routeEntry = (id: RouteId) => `functions/${routes[id].owner}/handlers/${handlerFileName(id)}.ts`;
const ROUTE_IDS = Object.keys(routes) as RouteId[];

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
    for (const entry of [...Object.keys(HANDLERS), ...ROUTE_IDS.map(routeEntry)]) {
      bundles.set(entry, readFileSync(path.join(bundledHandler(ROOT, entry), 'index.js'), 'utf8'));
    }
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

  it('leave out the credential providers past the environment, the STS and SSO clients they call and the metadata services', () => {
    // Lambda, LocalStack and the offline runtime hand the function its credentials in the environment.
    const leftOut = /AWSSecurityTokenServiceV20110615|SWBPortalService|InstanceMetadataV1FallbackError|AWS_CONTAINER_CREDENTIALS_FULL_URI/;
    const carried = Object.keys(HANDLERS).filter((entry) => leftOut.test(bundleOf(entry)));
    expect(carried).toEqual([]);
    // What they leave out stays the SDK's dynamic import, reached only past the environment.
    const deferred = Object.keys(HANDLERS).filter((entry) => bundleOf(entry).includes('import("@aws-sdk/credential-provider-sso")'));
    expect(deferred).toEqual(Object.keys(HANDLERS));
  });

  it('load with no node_modules within reach', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bundle-alone-'));
    try {
      const file = path.join(dir, 'index.js');
      copyFileSync(path.join(bundledHandler(ROOT, 'functions/platform/handlers/outbox-relay.ts'), 'index.js'), file);
      const script = `const { handler } = require(${JSON.stringify(file)}); process.stdout.write(typeof handler);`;
      const run = spawnSync(process.execPath, ['-e', script], {
        cwd: dir,
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', EVENT_BUS_NAME: 'bus', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's' },
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve the OpenAPI document written beside the bundle when bundling: the one the route contracts build', () => {
    const file = path.join(bundledHandler(ROOT, routeEntry('openApi')), 'index.js');
    // The body goes to a file descriptor of its own: the function's logs are on stdout.
    const script = `require(${JSON.stringify(file)}).handler(JSON.parse(process.argv[1]), { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 10000 })
      .then((result) => require('node:fs').writeSync(3, result.statusCode + ' ' + result.body));`;
    const run = spawnSync(process.execPath, ['-e', script, JSON.stringify(apiEvent({ method: 'GET', path: '/openapi.json' }))], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', STAGE: 'dev', ALLOWED_ORIGIN: '*', POWERTOOLS_METRICS_NAMESPACE: 'Commerce' },
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    const answer = String(run.output[3]);
    expect(run.stderr).toBe('');
    expect(answer.slice(0, 4)).toBe('200 ');
    expect(JSON.parse(answer.slice(4))).toEqual(buildOpenApiDocument());
  });

  it('carry the schemas of the SDK operations they call, not those of the whole API', () => {
    // Each operation of a REST API names its HTTP path in its schema: the Lambda API's all start
    // with a date, SESv2's with /v2/email/. CancelOrder only invokes, notifications' consumer only sends.
    const paths = (entry: string, prefix: string) => [...new Set(bundleOf(entry).match(new RegExp(`"${prefix}[^"]*"`, 'g')))];
    expect(paths('functions/orders/handlers/cancel-order.ts', '/\\d{4}-\\d\\d-\\d\\d/')).toEqual(['"/2015-03-31/functions/{FunctionName}/invocations"']);
    expect(paths('functions/notifications/handlers/on-event.ts', '/v2/email/')).toEqual(['"/v2/email/outbound-emails"']);
  });

  it("carry of each SDK client's package.json only the version its user agent names", () => {
    // Each client's package.json names its repository; the CancelOrder bundle holds four clients.
    const code = bundleOf('functions/orders/handlers/cancel-order.ts');
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@aws-sdk/client-lambda/package.json'), 'utf8')) as { version: string };
    expect({ repository: code.includes('aws-sdk-js-v3.git'), version: code.includes(`{version:"${version}"}`) }).toEqual({ repository: false, version: true });
  });

  it('import no bundled module on first use (the SDK loads its event stream serde statically), so esbuild wraps no module in a lazy initializer', () => {
    // esbuild's form of a dynamic import() of a module it bundled.
    const lazy = Object.keys(HANDLERS).filter((entry) => bundleOf(entry).includes('Promise.resolve().then(()=>('));
    expect(lazy).toEqual([]);
  });

  it("keep every function's and class's own name without naming each one at run time (the SDK builds hundreds of functions per request)", () => {
    const code = bundleOf(routeEntry('getProduct'));
    // What esbuild's keepNames calls for each function it creates, minified or not.
    expect(code).not.toMatch(/"name",\s*\{\s*value(:\s*\w+)?,\s*configurable:\s*(!0|true)\s*\}/);
    expect(code).toMatch(/\bProductNotFoundError\s*=\s*class\b|\bclass ProductNotFoundError\b/);
    expect(code).toMatch(/function httpRoute\(/);
  });

  it('hold no X-Ray SDK', () => {
    expect(Object.keys(HANDLERS).filter((entry) => bundleOf(entry).includes('AWS_XRAY_DAEMON_ADDRESS'))).toEqual([]);
  });

  it("build the route contracts of their owner's routes and of the routes they call, no others", () => {
    const strays = ROUTE_IDS.flatMap((id) => {
      const calls = CALLS[id] ?? [];
      const code = bundleOf(routeEntry(id));
      const held = (other: RouteId) => code.includes(JSON.stringify(routes[other].path));
      const expected = (other: RouteId) => routes[other].owner === routes[id].owner || calls.includes(routes[other].owner);
      return ROUTE_IDS.filter((other) => held(other) !== expected(other)).map((other) => `${id}: ${other} ${held(other) ? 'held' : 'missing'}`);
    });
    expect(strays).toEqual([]);
  });

  it('verify access tokens without building the users API (only its role), unless they serve or call it', () => {
    // The users API's AccessToken schema is the one holder of the literal "Bearer".
    const holders = ROUTE_IDS.filter((id) => bundleOf(routeEntry(id)).includes('"Bearer"'));
    // Those of the users, and those whose owner has a route that serves or calls theirs (the dashboard's).
    const servesOrCalls = (id: RouteId) => routes[id].owner === 'users' || Boolean(CALLS[id]?.includes('users'));
    const expected = ROUTE_IDS.filter((id) => ROUTE_IDS.some((other) => routes[other].owner === routes[id].owner && servesOrCalls(other)));
    expect(holders.sort()).toEqual(expected.sort());
  });

  it("build no order events where none is published: the cart's functions (the orders API takes its reasons alone), the orders' reads and the cancel", () => {
    const readers = [...ROUTE_IDS.filter((id) => routes[id].owner === 'cart'), 'getOrder', 'listOrders', 'cancelOrder'] as RouteId[];
    expect(readers.filter((id) => bundleOf(routeEntry(id)).includes('"OrderPlaced"'))).toEqual([]);
    expect(bundleOf(routeEntry('placeOrder'))).toContain('"OrderPlaced"');
  });

  it('build no saga inputs in the cancel, which starts the cancellation saga with a typed input (its tasks parse it)', () => {
    // The saga inputs' order lines are inventory's, whose module holds its events.
    const holders = ['functions/orders/handlers/cancel-order.ts', 'functions/orders/handlers/on-order-placed.ts'].filter((entry) => bundleOf(entry).includes('"StockReserved"'));
    expect(holders).toEqual(['functions/orders/handlers/on-order-placed.ts']);
  });

  it("hold no SSM client in the cart's functions: they get the API's address at deploy time", () => {
    const cart = ROUTE_IDS.filter((id) => routes[id].owner === 'cart');
    expect(cart).toHaveLength(5);
    expect(cart.filter((id) => bundleOf(routeEntry(id)).includes(CLIENTS.ssm))).toEqual([]);
  });

  it("build shipping's claim contract in the one orders function that claims a shipment", () => {
    // Its shipment statuses: the orders' own statuses have no PREPARING.
    const orders = ROUTE_IDS.filter((id) => routes[id].owner === 'orders');
    expect(orders.filter((id) => bundleOf(routeEntry(id)).includes('"PREPARING"'))).toEqual(['cancelOrder']);
  });

  it("build of shipping's API only the shipment statuses its claim answers with, in the function that claims a shipment", () => {
    // A Shipment names its shipmentId; the claim's answer does not.
    expect(bundleOf(routeEntry('cancelOrder')).includes('shipmentId')).toBe(false);
    expect(bundleOf(routeEntry('getShipment')).includes('shipmentId')).toBe(true);
  });
});

describe('the bundler\'s output', () => {
  it('is gone from the temp dir once the synthesizing process exits (synth staged its copies)', () => {
    // A project of one handler (the OpenAPI one, which gets a file written beside it), bundled by
    // a process of its own with a temp dir of its own.
    const project = mkdtempSync(path.join(tmpdir(), 'bundle-exit-'));
    const temp = path.join(project, 'tmp');
    mkdirSync(path.join(project, 'functions', 'edge', 'handlers'), { recursive: true });
    mkdirSync(temp);
    writeFileSync(path.join(project, 'functions', 'edge', 'handlers', 'open-api.ts'), 'export const handler = async () => ({ statusCode: 200 });\n');
    const child = `
      const { existsSync } = require('node:fs');
      const { bundledHandler } = require(${JSON.stringify(path.join(ROOT, 'lib', 'platform', 'bundle'))});
      const dir = bundledHandler(${JSON.stringify(project)}, 'functions/edge/handlers/open-api.ts');
      console.log(JSON.stringify({ dir, built: existsSync(dir + '/index.js') }));`;
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', '-e', child], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TMPDIR: temp } });
      const { dir, built } = JSON.parse(out.trim().split('\n').at(-1)!) as { dir: string; built: boolean };
      expect(built).toBe(true);
      expect(dir.startsWith(temp)).toBe(true);
      expect(existsSync(dir)).toBe(false);
      // (tsx keeps its compile cache there too: not ours.)
      expect(readdirSync(temp).filter((name) => name.startsWith('commerce-'))).toEqual([]);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
