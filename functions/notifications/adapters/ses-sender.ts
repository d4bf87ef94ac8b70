import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { sdkClient } from '../../shared/aws-clients';
import type { NotificationSender } from '../domain/sender';

// Two attempts at most: then the record fails, and the queue redelivers it later.
const sesClient = /* @__PURE__ */ sdkClient(SESv2Client, { maxAttempts: 2 });

export interface SesSenderOptions {
  /** The From address: a verified SES identity, or an address of a verified domain. */
  fromAddress: string;
  /** @default the function's own client (region and endpoint from the environment) */
  client?: SESv2Client;
}

/**
 * Sends each message as a plain-text email through Amazon SES (SESv2 SendEmail), to the address
 * of the user's contact copy. A refusal or a timeout throws, so the event is retried and, if SES
 * keeps refusing, dead-lettered and alarmed on.
 */
export function sesSender(options: SesSenderOptions): NotificationSender {
  const client = options.client ?? sesClient();
  return {
    async send(message) {
      await client.send(
        new SendEmailCommand({
          FromEmailAddress: options.fromAddress,
          Destination: { ToAddresses: [message.to.email] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: message.body, Charset: 'UTF-8' } },
            },
          },
        }),
      );
    },
  };
}
