import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sesSender } from '../../../functions/notifications/adapters/ses-sender';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { NOTIFICATIONS_ENV } from '../../../functions/notifications/notifications-config';
import { ENV } from '../../../functions/shared/environment';
import { useHandlerEnvironment } from '../../support/handler-env';
import { deliver, eventIdOf, loadHandlers, newOrderId, newUserId, orderEvents, registered, storedNotifications } from './fixture';
import { queued } from '../../support/bus-event';

/** A stand-in for the SESv2 endpoint: keeps each request and answers with the next queued answer (200 by default). */
interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
const answers: { status: number; headers?: Record<string, string>; body: string }[] = [];
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ method: request.method!, path: request.url!, headers: request.headers, body });
      const answer = answers.shift() ?? { status: 200, body: JSON.stringify({ MessageId: `m-${received.length}` }) };
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'T' };
const clientAt = (region: string) => new SESv2Client({ endpoint, region, credentials, maxAttempts: 1 });

describe('sesSender', () => {
  const message = {
    notificationId: 'n1', to: { userId: 'u1', email: 'ada@example.com', name: 'Ada' }, subject: 'Order o1 has shipped', body: 'Your order… ✓',
  };

  it('sends one signed SESv2 SendEmail request: From the configured address, To the contact, plain text in UTF-8', async () => {
    received.length = 0;
    await sesSender({ fromAddress: 'shop@example.com', client: clientAt('eu-west-1') }).send(message);
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ method: 'POST', path: '/v2/email/outbound-emails' });
    expect(JSON.parse(request!.body)).toEqual({
      FromEmailAddress: 'shop@example.com',
      Destination: { ToAddresses: ['ada@example.com'] },
      Content: {
        Simple: {
          Subject: { Data: 'Order o1 has shipped', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Your order… ✓', Charset: 'UTF-8' } },
        },
      },
    });
    expect(request!.headers['x-amz-security-token']).toBe('T');
    expect(request!.headers.authorization).toMatch(/Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ses\/aws4_request/);
  });

  it('throws when SES refuses, with its error name, so the event is retried', async () => {
    answers.push({
      status: 400, headers: { 'x-amzn-errortype': 'MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/' },
      body: JSON.stringify({ message: 'Email address is not verified.' }),
    });
    await expect(sesSender({ fromAddress: 'shop@example.com', client: clientAt('eu-west-1') }).send(message)).rejects.toMatchObject({
      name: 'MessageRejected',
    });
  });
});

describe('NOTIFICATION_SENDER=ses, end to end through the consumer', () => {
  it('emails each notification to the contact copy, and skips a user with no contact', async () => {
    const env = await useHandlerEnvironment('notifications-ses');
    process.env[NOTIFICATIONS_ENV.sender] = 'ses';
    process.env[NOTIFICATIONS_ENV.fromAddress] = 'shop@example.com';
    process.env.AWS_ENDPOINT_URL_SESV2 = endpoint;
    vi.resetModules();
    const handlers = await loadHandlers();
    received.length = 0;

    const userId = newUserId();
    const shipped = orderEvents.shipped(userId, newOrderId());
    const stranger = orderEvents.delivered(newUserId(), newOrderId());
    expect(await deliver(handlers, queued(registered(userId, { email: 'grace@example.com' })), queued(shipped), queued(stranger)))
      .toEqual({ batchItemFailures: [] });
    const sent = received.map((r) => JSON.parse(r.body) as { Destination: { ToAddresses: string[] }; Content: { Simple: { Subject: { Data: string } } } });
    expect(sent.map((m) => m.Destination.ToAddresses)).toEqual([['grace@example.com'], ['grace@example.com']]);
    expect(sent[1]!.Content.Simple.Subject.Data).toContain('has shipped');

    // A refused message fails only its record (the SDK's own retry fails too); the redelivery sends it and settles it SENT.
    answers.push({ status: 500, body: '{}' }, { status: 500, body: '{}' });
    const delivered = orderEvents.delivered(userId, newOrderId());
    expect(await deliver(handlers, queued(delivered, 'd-1'))).toEqual({ batchItemFailures: [{ itemIdentifier: 'd-1' }] });
    expect((await storedNotifications(env, userId)).find((n) => n.id === eventIdOf(delivered))).toMatchObject({ delivery: 'PENDING' });
    expect(await deliver(handlers, queued(delivered, 'd-1'))).toEqual({ batchItemFailures: [] });
    expect((await storedNotifications(env, userId)).find((n) => n.id === eventIdOf(delivered))).toMatchObject({ delivery: 'SENT' });
    expect((await storedNotifications(env, userId))).toHaveLength(3);
  });

  it('fails the cold start when ses is chosen without a From address, or the sender is unknown', async () => {
    vi.stubEnv(ENV.tableName, 'notifications');
    vi.stubEnv(NOTIFICATIONS_ENV.sender, 'ses');
    vi.stubEnv(NOTIFICATIONS_ENV.fromAddress, '');
    try {
      vi.resetModules();
      await expect(import('../../../functions/notifications/handlers/on-event')).rejects.toThrow(NOTIFICATIONS_ENV.fromAddress);
      vi.stubEnv(NOTIFICATIONS_ENV.sender, 'smtp');
      vi.resetModules();
      await expect(import('../../../functions/notifications/handlers/on-event')).rejects.toThrow(NOTIFICATIONS_ENV.sender);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
