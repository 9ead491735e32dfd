import type pg from 'pg';
import { businessDateOf, DEFAULT_VENUE } from '../domain/venue/settings.js';
import { addDays, instantOf } from '../domain/venue/time.js';
import { percentile, type Figures } from './figures.js';
import { freePort, request, startServer } from './booking.js';

/**
 * A flash-sale burst: BURST_REQUESTS (10,000) hold requests from BURST_GUESTS
 * (500) guests over 50 room-slots, sent within two seconds, with the admission
 * queue on (every request `Prefer: respond-async`, outcomes polled) or off
 * (every request answered at once, saturation queueing disabled). Checked from
 * the event log: one winner per slot and no two live reservations of a room-day.
 */
const REQUESTS = Number(process.env.BURST_REQUESTS ?? 10_000);
const GUESTS = Number(process.env.BURST_GUESTS ?? 500);
const SLOTS = 50;
const SEND_MS = 2000;

export async function benchBurst(pool: pg.Pool, databaseUrl: string, queued: boolean): Promise<Figures> {
  const port = await freePort();
  const server = await startServer(databaseUrl, port, queued ? {} : { BOOKING_QUEUE_SATURATION: '0', BOOKING_QUEUE_RELEASE_MINUTES: '0' });
  try {
    const login = async (email: string) =>
      (await request(port, 'POST', '/auth/login', { email, password: 'demo-password-1' })).body.accessToken ?? '';
    const manager = await login('manager@demo.ktv');
    const rooms: string[] = [];
    for (let i = 0; i < SLOTS; i++)
      rooms.push((await request(port, 'POST', '/rooms', { name: `Burst${i}`, type: 'medium', capacity: 8 }, manager)).body.id ?? '');
    const guests: string[] = [];
    for (let i = 0; i < GUESTS; i += 25) {
      const batch = Array.from({ length: Math.min(25, GUESTS - i) }, async (_, j) => {
        const email = `burst-${i + j}@bench.ktv`;
        await request(port, 'POST', '/auth/register', { email, password: 'demo-password-1', name: `Burst ${i + j}` });
        return login(email);
      });
      guests.push(...(await Promise.all(batch)));
    }
    const start = instantOf(addDays(businessDateOf(new Date(), DEFAULT_VENUE), 3), 20 * 60, DEFAULT_VENUE.timeZone).toISOString();
    const headers: Record<string, string> = queued ? { prefer: 'respond-async' } : {};

    const answers: { status: number; ms: number; id?: string; code?: string; sentAt: number; guest: number }[] = [];
    const began = performance.now();
    const inflight: Promise<void>[] = [];
    for (let n = 0; n < REQUESTS; n++) {
      const due = began + (n * SEND_MS) / REQUESTS;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const sentAt = performance.now();
      const body = { roomId: rooms[n % SLOTS], start, durationMinutes: 120, partySize: 4 };
      inflight.push(
        request(port, 'POST', '/bookings', body, guests[n % GUESTS], headers).then(
          (r) => void answers.push({ status: r.status, ms: r.ms, id: r.body.id, code: r.body.code, sentAt, guest: n % GUESTS }),
          () => void answers.push({ status: 0, ms: performance.now() - sentAt, sentAt, guest: n % GUESTS }),
        ),
      );
    }
    const sentIn = performance.now() - began;
    await Promise.all(inflight);
    const figures: Figures = { 'requests sent': REQUESTS, 'sent within ms': Math.round(sentIn) };
    const byStatus = new Map<string, number>();
    for (const a of answers)
      byStatus.set(`${a.status} ${a.code ?? ''}`.trim(), (byStatus.get(`${a.status} ${a.code ?? ''}`.trim()) ?? 0) + 1);
    for (const [k, n] of [...byStatus].sort()) figures[`answered ${k}`] = n;
    figures['answer p99 ms'] = Math.round(
      percentile(
        answers.map((a) => a.ms),
        99,
      ),
    );

    if (queued) {
      // Poll the queued requests until each is decided; time to outcome runs from sending to the poll that saw it.
      const pending = new Map(answers.filter((a) => a.status === 202 && a.id).map((a) => [a.id!, a]));
      const outcomes: number[] = [];
      const decided = new Map<string, number>();
      for (let round = 0; pending.size > 0 && round < 600; round++) {
        const ids = [...pending.keys()];
        for (let i = 0; i < ids.length; i += 200) {
          await Promise.all(
            ids.slice(i, i + 200).map(async (id) => {
              const a = pending.get(id)!;
              const r = await request(port, 'GET', `/booking-requests/${id}`, undefined, guests[a.guest]);
              if (r.body.status && r.body.status !== 'queued') {
                pending.delete(id);
                outcomes.push(performance.now() - a.sentAt);
                const key = r.body.status === 'held' ? 'held' : `refused ${r.body.problem?.code ?? ''}`;
                decided.set(key, (decided.get(key) ?? 0) + 1);
              }
            }),
          );
        }
        if (pending.size > 0) await new Promise((r) => setTimeout(r, 200));
      }
      for (const [k, n] of [...decided].sort()) figures[`outcome ${k}`] = n;
      figures['undecided after polling'] = pending.size;
      figures['time to outcome p50 ms'] = Math.round(percentile(outcomes, 50));
      figures['time to outcome p99 ms'] = Math.round(percentile(outcomes, 99));
    }

    // From the log: live reservations per room-day of the burst (a winner is one, an overlap two or more).
    const { rows } = await pool.query<{ stream_id: string; n: number }>(
      `SELECT r.stream_id, count(*)::int AS n FROM events r
        WHERE r.event_type = 'RoomTimeReserved' AND r.data->>'start' = $1
          AND NOT EXISTS (SELECT 1 FROM events x WHERE x.stream_id = r.stream_id AND x.event_type = 'RoomTimeReleased'
                            AND x.data->>'bookingId' = r.data->>'bookingId')
        GROUP BY r.stream_id`,
      [new Date(start).toISOString()],
    );
    figures['slots with a winner (of 50)'] = rows.filter((r) => r.n === 1).length;
    figures['slots with two or more live reservations'] = rows.filter((r) => r.n > 1).length;
    return figures;
  } finally {
    server.stop();
  }
}
