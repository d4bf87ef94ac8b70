/** One message to one user, about one notification. */
export interface OutgoingMessage {
  /** The notification it is about: adapters may use it to recognise a message they already took. */
  notificationId: string;
  to: { userId: string; email: string; name: string };
  subject: string;
  body: string;
}

/**
 * The port through which messages leave the context. An adapter resolves once the message is
 * accepted for delivery and throws when it is not (the event is then retried), so the domain
 * records a message as SENT only after `send` resolved. A failure after that (or a redelivery
 * racing the first attempt) can send a message twice: sending is at least once, the
 * notification itself exactly once.
 */
export interface NotificationSender {
  send(message: OutgoingMessage): Promise<void>;
}
