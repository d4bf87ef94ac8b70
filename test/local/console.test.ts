import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { architectureOf, statesOf } from '../../local/console/architecture';
import { consoleHttp } from '../../local/console/console-http';
import { createObservers } from '../../local/console/observers';
import { ConsoleRecorder } from '../../local/console/recorder';
import type { ConsoleResources } from '../../local/console/resources';
import type { LocalResource } from '../../local/types';
import { assemblyOf } from '../support/local-assembly';

const ARN = 'arn:aws:sqs:us-east-1:000000000000';
const resource = (logicalId: string, type: string, properties: Record<string, unknown>, extra: Partial<LocalResource> = {}): LocalResource => ({
  stackName: 'commerce-dev-orders', logicalId, type, ref: logicalId, properties, metadata: {}, ...extra,
});

const app = assemblyOf([
  resource('Rule', 'AWS::Events::Rule', {
    EventBusName: 'commerce-dev',
    EventPattern: { source: ['commerce.orders'], 'detail-type': ['OrderPlaced'] },
    Targets: [{ Id: 'T', Arn: `${ARN}:orders-queue`, DeadLetterConfig: { Arn: `${ARN}:orders-dlq` } }],
  }, { ref: 'commerce-dev|orders-placed' }),
  resource('Queue', 'AWS::SQS::Queue', { RedrivePolicy: { deadLetterTargetArn: `${ARN}:orders-dlq` } }, { arn: `${ARN}:orders-queue`, ref: 'http://sqs/orders-queue' }),
  resource('Dlq', 'AWS::SQS::Queue', {}, { arn: `${ARN}:orders-dlq`, ref: 'http://sqs/orders-dlq' }),
]);

const placed = (correlationId: string) => ({
  id: 'event-1', source: 'commerce.orders', 'detail-type': 'OrderPlaced',
  detail: { metadata: { correlationId }, data: { orderId: 'order-1' } },
});

describe('the console architecture map', () => {
  it('sets apart the states only a Catch leads to as compensation', () => {
    const states = statesOf({
      StartAt: 'Reserve',
      States: {
        Reserve: { Type: 'Task', Next: 'Charge', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Reject' }] },
        Charge: { Type: 'Task', Next: 'Done', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Release' }] },
        Release: { Type: 'Task', Next: 'Reject' },
        Reject: { Type: 'Fail' },
        Done: { Type: 'Succeed' },
      },
    });
    expect(states.filter((state) => state.compensation).map((state) => state.name)).toEqual(['Release', 'Reject']);
    expect(states.find((state) => state.name === 'Charge')?.next).toEqual(['Done', 'Release (on error)']);
  });

  it('names rules by name, and finds which queue is a DLQ of what', () => {
    const map = architectureOf(app);
    expect(map.buses).toEqual([{ name: 'commerce-dev', rules: [expect.objectContaining({ name: 'orders-placed', targets: [{ kind: 'sqs', name: 'orders-queue', deadLetterQueue: 'orders-dlq' }] })] }]);
    expect(map.queues.find((queue) => queue.name === 'orders-dlq')).toMatchObject({ isDeadLetterQueue: true, feeds: ['rule orders-placed', 'orders-queue'] });
    expect(map.queues.find((queue) => queue.name === 'orders-queue')).toMatchObject({ isDeadLetterQueue: false, deadLetterQueue: 'orders-dlq' });
  });
});

describe('the console observers', () => {
  it('record an event with its correlation id and matched rules, each delivery attempt, and a DLQ landing', async () => {
    const recorder = new ConsoleRecorder();
    const observers = createObservers(app, recorder);
    observers.onEvent('commerce-dev', placed('corr-1'));
    let failures = 1;
    const targets = observers.observeTargets({
      invokeLambda: async () => undefined,
      startExecution: async () => undefined,
      sendToQueue: async () => {
        if (failures-- > 0) throw new Error('queue unavailable');
      },
    });
    const body = JSON.stringify(placed('corr-1'));
    await expect(targets.sendToQueue(`${ARN}:orders-queue`, body)).rejects.toThrow('queue unavailable');
    await targets.sendToQueue(`${ARN}:orders-queue`, body);
    await targets.sendToQueue(`${ARN}:orders-dlq`, body, { messageAttributes: { ERROR_CODE: 'SQS.Throttled', ERROR_MESSAGE: 'slow down' } });

    const [event, ...deliveries] = recorder.all().map((record) => record.data);
    expect(event).toMatchObject({ source: 'commerce.orders', detailType: 'OrderPlaced', correlationId: 'corr-1', orderId: 'order-1', rules: ['orders-placed'] });
    expect(deliveries).toEqual([
      expect.objectContaining({ target: 'orders-queue', eventId: 'event-1', attempt: 1, ok: false, error: 'queue unavailable' }),
      expect.objectContaining({ target: 'orders-queue', attempt: 2, ok: true }),
      expect.objectContaining({ target: 'orders-dlq', deadLetter: true, errorCode: 'SQS.Throttled', correlationId: 'corr-1' }),
    ]);
  });
});

describe('the console recorder', () => {
  it('keeps the last records up to its limit, oldest first, and numbers them in order', () => {
    const recorder = new ConsoleRecorder(3);
    for (let n = 1; n <= 7; n++) recorder.record('request', { n });
    expect(recorder.all().map((record) => [record.seq, record.data.n])).toEqual([[5, 5], [6, 6], [7, 7]]);
    recorder.record('request', { n: 8 });
    expect(recorder.all().map((record) => record.seq)).toEqual([6, 7, 8]);
  });
});

describe('the console over HTTP', () => {
  let server: Server;
  let port: number;
  const recorder = new ConsoleRecorder();
  const redriven: string[] = [];
  const resources = {
    redrive: async (name: string) => {
      redriven.push(name);
      return { queue: name, moved: 0, to: 'x' };
    },
  } as unknown as ConsoleResources;

  beforeAll(async () => {
    const http = consoleHttp({ recorder, architecture: architectureOf(app), resources: () => resources });
    server = createServer((req, res) => http.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const call = (path: string, { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port, path, method, headers }, (reply) => {
        let body = '';
        reply.on('data', (chunk: Buffer) => {
          body += chunk.toString();
          if (reply.headers['content-type'] === 'text/event-stream' && body.includes('\n\n')) reply.destroy();
        });
        const done = () => resolve({ status: reply.statusCode ?? 0, headers: reply.headers, body });
        reply.on('end', done);
        reply.on('close', done);
      });
      req.on('error', reject);
    });

  it('serves its page with a policy that allows nothing from elsewhere', async () => {
    const page = await call('/_console');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script src="/_console/console.js"');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'; script-src 'self'");
    expect((await call('/_console/console.js')).headers['content-type']).toContain('text/javascript');
  });

  it('refuses a host name that is not loopback (DNS rebinding) and an action from another origin', async () => {
    expect((await call('/_console', { headers: { Host: 'attacker.example' } })).status).toBe(403);
    expect((await call('/_console/api/dead-letter-queues/orders-dlq/redrive', { method: 'POST', headers: { Origin: 'http://attacker.example' } })).status).toBe(403);
    expect(redriven).toEqual([]);
    const own = await call('/_console/api/dead-letter-queues/orders-dlq/redrive', { method: 'POST', headers: { Origin: `http://127.0.0.1:${port}` } });
    expect(own.status).toBe(200);
    expect(redriven).toEqual(['orders-dlq']);
  });

  it('streams what was recorded after the last record the client saw', async () => {
    recorder.record('request', { method: 'GET', path: '/first' });
    recorder.record('request', { method: 'GET', path: '/second' });
    const stream = await call('/_console/api/stream', { headers: { 'Last-Event-ID': '1' } });
    expect(stream.headers['content-type']).toBe('text/event-stream');
    expect(stream.body).toMatch(/^id: 2\nevent: request\ndata: .*"\/second"/);
  });

  it('answers an unknown resource with a problem', async () => {
    const reply = await call('/_console/api/nothing');
    expect(reply.status).toBe(404);
    expect(reply.headers['content-type']).toBe('application/problem+json');
  });
});
