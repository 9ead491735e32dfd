import { randomUUID } from 'node:crypto';
import t from 'tap';
import { Redis } from 'ioredis';
import { startTestService } from '../../helpers/service.js';
import { signUp } from '../../helpers/auth.js';
import { setUpVenue } from '../../helpers/venue.js';
import { until } from '../../helpers/until.js';
import { loadConfig } from '../../../src/config.js';
import { redisOptions } from '../../../src/infra/redis.js';
import { createLogger } from '../../../src/logger.js';
import { BullMqAdmissionQueue, type AdmissionRequest, type AdmissionState } from '../../../src/jobs/admission.js';
import { admitHold } from '../../../commands/bookings/admission.js';

/**
 * The BullMQ admission queue with a worker killed mid-burst: the request it was
 * deciding is taken by another worker once its lock runs out, and because the
 * request id is the booking id, nothing is decided twice.
 */
const redisUrl = loadConfig(process.env).redisUrl;
if (!redisUrl) {
  t.pass('REDIS_URL not set: the BullMQ queue is not exercised here');
} else {
  const { app, platform } = await startTestService(t);
  const venue = await setUpVenue(app, platform);
  const rooms = [...venue.rooms.small, ...venue.rooms.medium];
  const logger = createLogger(loadConfig({}, { LOG_LEVEL: 'silent' }));
  const name = `ktv-test-admission-${randomUUID()}`;
  const redis = new Redis(redisUrl);
  const queueOn = () => new BullMqAdmissionQueue(redisOptions(redisUrl), redis, 4, () => undefined, logger, name);
  t.teardown(async () => {
    for (const key of await redis.keys(`bull:${name}:*`)) await redis.del(key);
    await redis.del(`${name}:enqueued`, `${name}:decided`);
    await redis.quit();
  });

  t.test('a worker killed mid-burst: every request is decided once, one winner per slot', async (t) => {
    const guests = await Promise.all(Array.from({ length: 12 }, () => signUp(app, platform.store, 'guest')));
    const front = queueOn();
    const requests: AdmissionRequest[] = guests.map((g, i) => {
      const roomId = rooms[i % 4]!;
      const input = {
        roomId,
        start: venue.at(5, '20:00').toISOString(),
        durationMinutes: 60,
        partySize: 2,
        guestId: g.userId,
        memberLevel: 'regular',
        guestName: null,
        guestPhone: null,
      };
      return {
        id: randomUUID(),
        owner: g.userId,
        group: `${roomId}:day5`,
        payload: { input, actor: { userId: g.userId, staff: false }, metadata: { actor: g.userId } },
        enqueuedAt: Date.now(),
      };
    });
    for (const r of requests) await front.enqueue(r);
    t.equal(await front.depth(), 12);

    // The first worker decides its fifth request and dies before saying so.
    const doomed = queueOn();
    let taken = 0;
    let died!: () => void;
    const death = new Promise<void>((r) => (died = r));
    await doomed.start(async (request) => {
      const outcome = await admitHold(platform)(request);
      if (++taken === 5) {
        died();
        return new Promise(() => undefined);
      }
      return outcome;
    });
    await death;
    await (doomed as unknown as { worker: { close(force: boolean): Promise<void> } }).worker.close(true);

    const survivor = queueOn();
    await survivor.start(admitHold(platform));
    const states: (AdmissionState | null)[] = [];
    const allDecided = await until(
      async () => {
        states.length = 0;
        for (const r of requests) states.push(await front.state(r.id));
        return states.every((s) => s !== null && s.status !== 'queued');
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    t.ok(allDecided, `every request decided: ${states.map((s) => s?.status).join(' ')}`);
    const held = states.filter((s) => s?.status === 'held');
    t.equal(held.length, 4, 'one winner per slot');
    t.equal(states.filter((s) => s?.status === 'refused' && s.problem.code === 'slot_taken').length, 8);
    const ids = requests.map((r) => r.id);
    const { rows } = await platform.pool.query<{ event_type: string; n: number }>(
      `SELECT event_type, count(*)::int AS n FROM events WHERE data->>'bookingId' = ANY($1) AND event_type IN ('BookingHeld', 'RoomTimeReserved') GROUP BY event_type ORDER BY event_type`,
      [ids],
    );
    t.same(
      rows,
      [
        { event_type: 'BookingHeld', n: 4 },
        { event_type: 'RoomTimeReserved', n: 4 },
      ],
      'the log holds each winner once, the re-run request included',
    );
    await survivor.close();
    await doomed.close().catch(() => undefined);
    await front.close();
  });
}
