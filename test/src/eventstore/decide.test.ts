import { randomUUID } from 'node:crypto';
import t from 'tap';
import { PostgresEventStore } from '../../../src/eventstore/postgres.js';
import { handle, handleAll, precheck, step, type Decider } from '../../../src/eventstore/decide.js';
import { createPool } from '../../../src/db/pool.js';
import type { DomainEvent } from '../../../src/events/event.js';
import { testDatabase } from '../../helpers/database.js';

/**
 * handle() decides first on the state this process last saw a stream in. Two
 * stores over one database play two processes: each one's remembered state goes
 * stale when the other appends, and must never decide on its own.
 */
const url = await testDatabase(t);
const pool = createPool(url, 10);
t.teardown(() => pool.end());
const here = new PostgresEventStore(pool, { connectionString: url });
const there = new PostgresEventStore(pool, { connectionString: url });

type Seat = DomainEvent<'SeatTaken' | 'SeatFreed', { seat: string }>;
type Command = { type: 'Take' | 'Free'; seat: string };
const seats: Decider<ReadonlySet<string>, Command, Seat> = {
  initialState: () => new Set(),
  evolve: (s, e) => {
    const next = new Set(s);
    if (e.type === 'SeatTaken') next.add(e.data.seat);
    else next.delete(e.data.seat);
    return next;
  },
  decide: (c, s) => {
    if (c.type === 'Take') {
      if (s.has(c.seat)) throw new Error('seat_taken');
      return [{ type: 'SeatTaken', data: { seat: c.seat } }];
    }
    return s.has(c.seat) ? [{ type: 'SeatFreed', data: { seat: c.seat } }] : [];
  },
};
const meta = { actor: 'test' };

t.test('a remembered state made stale by another process fails its append and is read again', async (t) => {
  const stream = `seats-${randomUUID()}`;
  await handle(here, stream, seats, { type: 'Take', seat: 'a' }, meta);
  await handle(there, stream, seats, { type: 'Take', seat: 'b' }, meta);
  const { version, state } = await handle(here, stream, seats, { type: 'Take', seat: 'c' }, meta);
  t.equal(version, 3n);
  t.same([...state].sort(), ['a', 'b', 'c'], 'decided on the stream as it is, not as remembered');
});

t.test('a refusal on a remembered state is checked against the stream before it is given', async (t) => {
  const stream = `seats-${randomUUID()}`;
  await handle(here, stream, seats, { type: 'Take', seat: 'a' }, meta);
  await handle(there, stream, seats, { type: 'Free', seat: 'a' }, meta);
  const { events } = await handle(here, stream, seats, { type: 'Take', seat: 'a' }, meta);
  t.same(
    events.map((e) => e.type),
    ['SeatTaken'],
    'the seat freed elsewhere is taken, not refused',
  );
});

t.test('a no-op on a remembered state is checked against the stream too', async (t) => {
  const stream = `seats-${randomUUID()}`;
  await handle(here, stream, seats, { type: 'Take', seat: 'a' }, meta);
  await handle(here, stream, seats, { type: 'Free', seat: 'a' }, meta);
  await handle(there, stream, seats, { type: 'Take', seat: 'a' }, meta);
  // Remembered here: `a` is free, so freeing it would be a no-op; the stream says it is taken.
  const { events } = await handle(here, stream, seats, { type: 'Free', seat: 'a' }, meta);
  t.same(
    events.map((e) => e.type),
    ['SeatFreed'],
  );
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [stream]);
  t.equal(rows[0]!.n, 4);
});

t.test('precheck: a remembered refusal is read again, a refusal read from the stream stands, a pass proves nothing', async (t) => {
  const stream = `seats-${randomUUID()}`;
  await handle(here, stream, seats, { type: 'Take', seat: 'a' }, meta);
  await handle(there, stream, seats, { type: 'Free', seat: 'a' }, meta);
  await precheck(here, stream, seats, { type: 'Take', seat: 'a' });
  t.pass('freed elsewhere: the remembered refusal was not thrown');
  await handle(there, stream, seats, { type: 'Take', seat: 'a' }, meta);
  // A process that has not seen the stream reads it, and the refusal stands.
  const fresh = new PostgresEventStore(pool, { connectionString: url });
  await t.rejects(precheck(fresh, stream, seats, { type: 'Take', seat: 'a' }), /seat_taken/);
  // Here the pass on a stale state proves nothing; the command itself is refused by the stream.
  await precheck(here, stream, seats, { type: 'Take', seat: 'a' });
  await t.rejects(handle(here, stream, seats, { type: 'Take', seat: 'a' }, meta), /seat_taken/);
  const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE stream_id = $1', [stream]);
  t.equal(rows[0]!.n, 3, 'a precheck appends nothing');
});

t.test('handleAll: several streams decided and committed together; a refusal on any writes nothing', async (t) => {
  const [a, b] = [`seats-${randomUUID()}`, `seats-${randomUUID()}`];
  await handleAll(here, [step(a, seats, { type: 'Take', seat: '1' }), step(b, seats, { type: 'Take', seat: '1' })], meta);
  t.equal((await here.readStream(a)).version, 1n);
  t.equal((await here.readStream(b)).version, 1n);
  await handle(there, b, seats, { type: 'Take', seat: '2' }, meta);
  await t.rejects(
    handleAll(here, [step(a, seats, { type: 'Take', seat: '2' }), step(b, seats, { type: 'Take', seat: '2' })], meta),
    { message: 'seat_taken' },
    'refused on b as it is now, not as this process remembered it',
  );
  t.equal((await here.readStream(a)).version, 1n, 'a is untouched');
  await handle(there, a, seats, { type: 'Take', seat: '3' }, meta);
  await handleAll(here, [step(a, seats, { type: 'Take', seat: '4' }), step(b, seats, { type: 'Take', seat: '4' })], meta);
  t.equal((await here.readStream(a)).version, 3n, 'a stale remembered version fails the append, and all are decided again');
  t.equal((await here.readStream(b)).version, 3n);
});
