import t from 'tap';
import { Writable } from 'node:stream';
import { startTestService } from '../../helpers/service.js';
import { call } from '../../helpers/http.js';
import { signUp } from '../../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../../helpers/venue.js';
import { readModelsOf } from '../../../projections/read-models.js';
import { sendArrivalReminders } from '../../../queries/reminders/arrival.js';
import { LogNotifier } from '../../../src/notifications/log.js';
import { createLogger } from '../../../src/logger.js';
import type { Notification, Notifier } from '../../../src/notifications/port.js';

/** A provider that keeps what it is given, and refuses while `down`. */
class Outbox implements Notifier {
  readonly name = 'outbox';
  readonly sent: Notification[] = [];
  down = false;
  async send(n: Notification): Promise<void> {
    if (this.down) throw new Error('provider unavailable');
    this.sent.push(n);
  }
}

t.test('a confirmed booking starting within the hour is reminded once; later ones wait', async (t) => {
  const { app, platform, runner } = await startTestService(t);
  const venue = await setUpVenue(app, platform, dayEndFarFromNow());
  const guest = await signUp(app, platform.store, 'guest');
  const quarter = (ms: number) => new Date(Math.ceil((Date.now() + ms) / 900_000) * 900_000).toISOString();
  const book = async (roomId: string, start: string) => {
    const held = await call(app, {
      method: 'POST',
      url: '/bookings',
      headers: guest.auth,
      payload: { roomId, start, durationMinutes: 60, partySize: 2 },
    });
    const paid = await call(app, { method: 'POST', url: `/bookings/${held.body.id}/payments`, headers: guest.auth });
    await call(app, { method: 'POST', url: (paid.body as { sandboxCompleteUrl: string }).sandboxCompleteUrl });
    return held.body.id as string;
  };
  const soon = await book(venue.rooms.small[0]!, quarter(60_000));
  const later = await book(venue.rooms.small[1]!, quarter(3 * 3600_000));
  const unpaid = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: venue.rooms.small[2], start: quarter(60_000), durationMinutes: 60, partySize: 2 },
  });
  t.equal(unpaid.status, 201, 'a hold not yet paid is not reminded');
  await runner.catchUp();

  const outbox = new Outbox();
  const ctx = { ...platform, readModels: readModelsOf(platform.pool), notifier: outbox };
  outbox.down = true;
  t.equal(await sendArrivalReminders(ctx), 0, 'the provider refuses: nothing counted as sent');
  outbox.down = false;
  t.equal(await sendArrivalReminders(ctx), 1, 'the next sweep sends it');
  t.equal(await sendArrivalReminders(ctx), 0, 'and never again');
  t.equal(outbox.sent.length, 1);
  t.match(outbox.sent[0], {
    kind: 'arrival_reminder',
    ref: soon,
    to: { userId: guest.userId },
    text: /Your room S01 is ready for you at \d\d:\d\d/,
  });
  t.notOk(
    outbox.sent.some((n) => n.ref === later),
    'the booking three hours away waits',
  );
});

t.test('the log provider writes the message, with only the last digits of the phone', async (t) => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const notifier = new LogNotifier(createLogger({ logLevel: 'info', logFormat: 'json' }, { destination }));
  await notifier.send({
    kind: 'arrival_reminder',
    ref: 'b-1',
    to: { userId: null, name: 'Li', phone: '13812345678' },
    text: 'See you soon',
  });
  const line = JSON.parse(lines[0]!) as Record<string, unknown>;
  t.match(line, { msg: 'notification', notification: 'arrival_reminder', ref: 'b-1', phone: '…5678', text: 'See you soon' });
  t.notMatch(lines[0], '13812345678');
});
