/** Someone to tell: a signed-up guest, or a walk-in or phoned-in guest known by name and phone. */
export type Recipient = Readonly<{ userId: string | null; name: string | null; phone: string | null }>;

export type Notification = Readonly<{
  kind: 'arrival_reminder';
  to: Recipient;
  /** What it is about (a booking id), for the provider's own records. */
  ref: string;
  text: string;
}>;

/**
 * Where messages to guests go out: SMS, WeChat template messages or app push are providers
 * behind this port; the log provider (src/notifications/log.ts) is the default.
 */
export interface Notifier {
  readonly name: string;
  /** Resolves once the provider accepted the message; rejects if it did not (the caller retries). */
  send(notification: Notification): Promise<void>;
}
