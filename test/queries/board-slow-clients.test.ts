import t from 'tap';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { startTestService } from '../helpers/service.js';
import { setUpVenue } from '../helpers/venue.js';
import { until } from '../helpers/until.js';
import { openEvents } from '../helpers/sse.js';
import { openSocket } from '../helpers/socket.js';
import { readModelsOf } from '../../projections/read-models.js';
import { BOARD_NEWS } from '../../projections/board.js';

/**
 * A client that stops reading is cut off with its resume point instead of being
 * buffered without bound, over SSE and over WebSocket: the connection ends after
 * the last whole event it got, and resuming from that event's id (as often as it
 * takes) brings every later change once. The flood is written straight into the
 * change log, as the projection would, so that it is larger than what the
 * kernel's socket buffers hold.
 */
// A resuming client waits for many drains; each wait must not leave a listener behind on the response.
const warnings: Error[] = [];
process.on('warning', (w) => warnings.push(w));
const a = await startTestService(t);
const venue = await setUpVenue(a.app, a.platform);
const auth = venue.waiter.auth;
await a.runner.catchUp();
await a.app.listen({ port: 0, host: '127.0.0.1' });
const base = `127.0.0.1:${(a.app.server.address() as AddressInfo).port}`;
const rm = readModelsOf(a.platform.pool);

const FLOOD = 4000;
/** About 16 MB of changes: each room event carries a 4 KB name. */
async function flood(round: number): Promise<string[]> {
  const room = venue.rooms.small[0]!;
  await sql`
    INSERT INTO rm.board_changes (seq, id, room_id, room, at)
    SELECT m.seq + g, (${round * 1_000_000} + m.seq + g)::text || '.0', r.room_id,
           jsonb_set(r.room, '{name}', to_jsonb(repeat('x', 4000) || g)), now()
      FROM generate_series(1, ${FLOOD}::int) g,
           (SELECT max(seq) AS seq FROM rm.board_changes) m,
           (SELECT room_id, room FROM rm.board_rooms WHERE room_id = ${room}) r`.execute(rm);
  await a.platform.news.publish(BOARD_NEWS, 'flood');
  const rows = await rm.selectFrom('board_changes').select('id').orderBy('seq', 'desc').limit(FLOOD).execute();
  return rows.map((r) => r.id).reverse();
}

type Reader = (from: string) => Promise<{ ids: string[]; cutOff: boolean }>;

const sseRead: Reader = async (from) => {
  const s = await openEvents(`http://${base}/board/events`, { ...auth, 'last-event-id': from });
  await until(() => s.ended(), { timeoutMs: 3000 });
  const cutOff = s.ended();
  s.close();
  return { ids: s.events.map((e) => e.id!), cutOff };
};

const socketRead: Reader = async (from) => {
  const s = await openSocket(`ws://${base}/board/socket`, auth);
  s.socket.send(JSON.stringify({ type: 'subscribe', lastEventId: from }));
  await until(() => s.closed() !== null, { timeoutMs: 3000 });
  const cutOff = s.closed() !== null;
  s.close();
  return { ids: s.messages.map((m) => m.id), cutOff };
};

/** Reconnects from the last id it got until it has `last`; every id it got, in order. */
async function resumeUntil(read: Reader, from: string, last: string) {
  const ids: string[] = [];
  let connections = 0;
  let cutOffs = 0;
  while (ids.at(-1) !== last && connections < 50) {
    const got = await read(ids.at(-1) ?? from);
    connections++;
    if (got.cutOff) cutOffs++;
    ids.push(...got.ids);
  }
  return { ids, connections, cutOffs };
}

t.test('SSE: a client that stops reading is disconnected, and resumes from its last whole event', async (t) => {
  const slow = await openEvents(`http://${base}/board/events`, auth);
  t.teardown(() => slow.close());
  t.ok(await until(() => slow.events.length >= 6));
  const resumeFrom = slow.events.at(-1)!.id!;
  slow.pause();
  const expected = await flood(1);

  // A reading client gets all of it, reconnecting when a burst outruns even it.
  const fresh = await resumeUntil(sseRead, resumeFrom, expected.at(-1)!);
  t.same(fresh.ids, expected, 'every change once, in order, across reconnections');

  slow.resume();
  t.ok(await until(() => slow.ended(), { timeoutMs: 10_000 }), 'the slow client was disconnected');
  const got = slow.events.slice(6).map((e) => e.id!);
  t.ok(got.length < FLOOD, `it got ${got.length} of ${FLOOD} changes before the cut, not the rest buffered`);
  t.same(got, expected.slice(0, got.length), 'what it got is a prefix of the log, whole events only');
  const rest = await resumeUntil(sseRead, got.at(-1) ?? resumeFrom, expected.at(-1)!);
  t.same([...got, ...rest.ids], expected, 'resuming from its last id brings the rest, none twice');
});

t.test('WebSocket: a client that stops reading is disconnected, and resumes from its last message', async (t) => {
  const slow = await openSocket(`ws://${base}/board/socket`, auth);
  t.teardown(() => slow.close());
  slow.socket.send(JSON.stringify({ type: 'subscribe' }));
  t.ok(await until(() => slow.messages.length >= 6));
  const resumeFrom = slow.messages.at(-1)!.id;
  slow.socket.pause();
  const expected = await flood(2);

  const fresh = await resumeUntil(socketRead, resumeFrom, expected.at(-1)!);
  t.same(fresh.ids, expected, 'every change once, in order, across reconnections');

  slow.socket.resume();
  t.ok(await until(() => slow.closed() !== null, { timeoutMs: 10_000 }), 'the slow client was disconnected');
  t.equal(slow.closed()!.code, 1006, 'cut off without a close frame, which would wait behind the unread data');
  const got = slow.messages.slice(6).map((m) => m.id);
  t.ok(got.length < FLOOD, `it got ${got.length} of ${FLOOD} changes before the cut, not the rest buffered`);
  t.same(got, expected.slice(0, got.length), 'what it got is a prefix of the log');
  const rest = await resumeUntil(socketRead, got.at(-1) ?? resumeFrom, expected.at(-1)!);
  t.same([...got, ...rest.ids], expected, 'resuming from its last id brings the rest, none twice');
});

t.test('catching up through many drains leaves no listeners behind on the response', async (t) => {
  t.same(
    warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message),
    [],
  );
});
