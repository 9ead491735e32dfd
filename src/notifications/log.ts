import type { Logger } from '../logger.js';
import type { Notifier, Notification } from './port.js';

/** Writes each message to the log instead of sending it: the default until a real provider is configured. */
export class LogNotifier implements Notifier {
  readonly name = 'log';
  constructor(private readonly logger: Logger) {}

  async send(n: Notification): Promise<void> {
    // The phone number is personal data: the log keeps only its last four digits.
    const phone = n.to.phone ? `…${n.to.phone.slice(-4)}` : null;
    this.logger.info({ notification: n.kind, ref: n.ref, userId: n.to.userId, phone, text: n.text }, 'notification');
  }
}
