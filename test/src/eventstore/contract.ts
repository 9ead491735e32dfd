import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import {
  START,
  WrongExpectedVersionError,
  type Checkpoint,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../../src/eventstore/port.js';
import type { Upcaster } from '../../../src/events/event.js';
import { until } from '../../helpers/until.js';

export type StoreFactory = (t: Test, upcasters: readonly Upcaster[]) => Promise<EventStore>;

const ev = (type: string, data: unknown = {}, extra: Partial<NewEvent> = {}): NewEvent => ({ id: randomUUID(), type, data, ...extra });

/**
 * Reads the feed after `from` in small batches, as a subscriber would, until
 * `enough` holds. Other sessions on the same server (parallel tests) can hold the
 * visibility horizon back a moment, so it keeps polling for a while.
 */
async function drain(store: EventStore, from: Checkpoint, enough: (events: RecordedEvent[]) => boolean, types?: string[]) {
  const seen: RecordedEvent[] = [];
  let at = from;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const batch = await store.readAll({ from: at, limit: 3, ...(types ? { types } : {}) });
    seen.push(...batch.events);
    if (batch.next === at) {
      if (enough(seen) || Date.now() > deadline) return { events: seen, next: at };
      await new Promise((r) => setTimeout(r, 10));
    }
    at = batch.next;
  }
}

/**
 * What every event store adapter must do. Each test uses streams of its own, so
 * the suite also runs against a shared server.
 */
export function eventStoreContract(t: Test, makeStore: StoreFactory): void {
  t.test('no_stream creates a stream once and then conflicts', async (t) => {
    const store = await makeStore(t, []);
    const s = `contract-${randomUUID()}`;
    const first = await store.appendToStream(s, [ev('A'), ev('B')], 'no_stream');
    t.equal(first.nextExpectedVersion, 2n);
    await t.rejects(store.appendToStream(s, [ev('C')], 'no_stream'), WrongExpectedVersionError);
    const read = await store.readStream(s);
    t.equal(read.version, 2n);
    t.same(
      read.events.map((e) => [e.type, e.streamVersion]),
      [
        ['A', 1n],
        ['B', 2n],
      ],
    );
  });

  t.test('an exact version appends only when it matches, and the conflict says what it found', async (t) => {
    const store = await makeStore(t, []);
    const s = `contract-${randomUUID()}`;
    await store.appendToStream(s, [ev('A')], 'no_stream');
    const r = await store.appendToStream(s, [ev('B')], 1n);
    t.equal(r.nextExpectedVersion, 2n);
    const err = await store.appendToStream(s, [ev('C')], 1n).catch((e: unknown) => e);
    t.ok(err instanceof WrongExpectedVersionError);
    t.equal((err as WrongExpectedVersionError).actual, 2n);
    t.equal((err as WrongExpectedVersionError).status, 409);
    t.equal((await store.readStream(s)).version, 2n, 'the refused append wrote nothing');
  });

  t.test('stream_exists needs the stream; any takes whatever is there', async (t) => {
    const store = await makeStore(t, []);
    const s = `contract-${randomUUID()}`;
    await t.rejects(store.appendToStream(s, [ev('A')], 'stream_exists'), WrongExpectedVersionError);
    t.equal((await store.appendToStream(s, [ev('A')], 'any')).nextExpectedVersion, 1n);
    t.equal((await store.appendToStream(s, [ev('B')], 'stream_exists')).nextExpectedVersion, 2n);
    t.equal((await store.appendToStream(s, [ev('C')], 'any')).nextExpectedVersion, 3n);
  });

  t.test('re-appending the same event ids at the same place returns the first result and stores nothing twice', async (t) => {
    const store = await makeStore(t, []);
    const s = `contract-${randomUUID()}`;
    const batch = [ev('A'), ev('B')];
    const first = await store.appendToStream(s, batch, 'no_stream');
    const again = await store.appendToStream(s, batch, 'no_stream');
    t.equal(again.nextExpectedVersion, first.nextExpectedVersion);
    t.equal(again.position, first.position);
    const alsoWithAny = await store.appendToStream(s, batch, 'any');
    t.equal(alsoWithAny.nextExpectedVersion, 2n);
    t.equal((await store.readStream(s)).events.length, 2);
    // Half old, half new is not a retry: it is a conflict.
    await t.rejects(store.appendToStream(s, [batch[1]!, ev('C')], 1n), WrongExpectedVersionError);
    t.equal((await store.readStream(s)).events.length, 2);
  });

  t.test('reading a stream: order, a starting version, and an unknown stream', async (t) => {
    const store = await makeStore(t, []);
    const s = `contract-${randomUUID()}`;
    await store.appendToStream(s, [ev('A'), ev('B'), ev('C')], 'no_stream');
    t.same(
      (await store.readStream(s, { fromVersion: 2n })).events.map((e) => e.type),
      ['B', 'C'],
    );
    const many = `contract-${randomUUID()}`;
    await store.appendToStream(
      many,
      Array.from({ length: 12 }, (_, i) => ev('N', { i })),
      'no_stream',
    );
    t.same(
      (await store.readStream(many)).events.map((e) => (e.data as { i: number }).i),
      Array.from({ length: 12 }, (_, i) => i),
      'numeric order past ten',
    );
    const unknown = await store.readStream(`contract-${randomUUID()}`);
    t.equal(unknown.version, 0n);
    t.same(unknown.events, []);
  });

  t.test('events keep their type, data, metadata and schema version, and old versions are upcast on read', async (t) => {
    const upcasters: Upcaster[] = [
      { type: 'Renamed', fromVersion: 1, up: (d) => ({ fullName: (d as { name: string }).name }) },
      { type: 'Renamed', fromVersion: 2, up: (d) => ({ ...(d as object), upcast: true }) },
    ];
    const store = await makeStore(t, upcasters);
    const s = `contract-${randomUUID()}`;
    const metadata = { correlationId: 'c-1', causationId: 'x-1', actor: 'user-1', idempotencyKey: 'k-1' };
    await store.appendToStream(
      s,
      [
        ev('Renamed', { name: 'Ada' }, { schemaVersion: 1, metadata }),
        ev('Renamed', { fullName: 'Bo', upcast: false }, { schemaVersion: 3 }),
        ev('Plain', { n: 1 }),
      ],
      'no_stream',
    );
    const [a, b, c] = (await store.readStream(s)).events;
    t.same(a?.data, { fullName: 'Ada', upcast: true });
    t.equal(a?.schemaVersion, 3);
    t.same(a?.metadata, metadata);
    t.same(b?.data, { fullName: 'Bo', upcast: false }, 'the newest version is left alone');
    t.same(c?.data, { n: 1 });
    t.equal(c?.schemaVersion, 1);
    t.ok(a!.createdAt instanceof Date);
  });

  t.test('the global feed returns everything in order, in batches, and a type filter still advances', async (t) => {
    const store = await makeStore(t, []);
    const before = await drain(store, START, () => true);
    const s1 = `contract-${randomUUID()}`;
    const s2 = `contract-${randomUUID()}`;
    await store.appendToStream(s1, [ev('X', { i: 1 }), ev('Y', { i: 2 })], 'no_stream');
    await store.appendToStream(s2, [ev('X', { i: 3 })], 'no_stream');
    await store.appendToStream(s1, [ev('Y', { i: 4 }), ev('X', { i: 5 })], 2n);
    await store.appendToStream(
      s2,
      Array.from({ length: 10 }, (_, k) => ev('Z', { i: 6 + k })),
      1n,
    );
    const mine = (e: { streamId: string }) => e.streamId === s1 || e.streamId === s2;
    const all = (await drain(store, before.next, (es) => es.filter(mine).length >= 15)).events.filter(mine);
    t.same(
      all.map((e) => (e.data as { i: number }).i),
      Array.from({ length: 15 }, (_, k) => k + 1),
    );
    const xs = await drain(store, before.next, (es) => es.filter(mine).length >= 3, ['X']);
    t.same(
      xs.events.filter(mine).map((e) => (e.data as { i: number }).i),
      [1, 3, 5],
    );
    const positions = all.map((e) => e.globalPosition);
    t.same(
      [...positions].sort((a, b) => (a < b ? -1 : 1)),
      positions,
      'global positions rise along the feed',
    );
    t.equal((await store.readAll({ from: xs.next, limit: 10 })).events.filter(mine).length, 0, 'nothing after the end');
    t.ok((await store.countAfter(before.next, 1000)) >= 15);
    t.equal(await store.countAfter(xs.next, 1000), 0);
    const head = await store.head();
    t.ok(head.globalPosition >= positions.at(-1)!);
  });

  t.test('a multi-stream append: all streams at their expected versions, answered in order', async (t) => {
    const store = await makeStore(t, []);
    const [a, b, c] = [1, 2, 3].map(() => `contract-${randomUUID()}`) as [string, string, string];
    await store.appendToStream(b, [ev('B1')], 'no_stream');
    const results = await store.appendToStreams([
      { streamId: a, events: [ev('A1'), ev('A2')], expected: 'no_stream' },
      { streamId: b, events: [ev('B2')], expected: 1n },
      { streamId: c, events: [ev('C1')], expected: 'no_stream' },
    ]);
    t.same(
      results.map((r) => r.nextExpectedVersion),
      [2n, 2n, 1n],
    );
    t.same(
      (await store.readStream(a)).events.map((e) => [e.type, e.streamVersion]),
      [
        ['A1', 1n],
        ['A2', 2n],
      ],
    );
    t.same(
      (await store.readStream(b)).events.map((e) => e.type),
      ['B1', 'B2'],
    );
  });

  t.test('a multi-stream append with one stale version: a conflict, and where atomic, nothing written anywhere', async (t) => {
    const store = await makeStore(t, []);
    const [a, b] = [1, 2].map(() => `contract-${randomUUID()}`) as [string, string];
    await store.appendToStream(b, [ev('B1'), ev('B2')], 'no_stream');
    const appends = [
      { streamId: a, events: [ev('A1')], expected: 'no_stream' as const },
      { streamId: b, events: [ev('B3')], expected: 1n },
    ];
    await t.rejects(store.appendToStreams(appends), WrongExpectedVersionError);
    if (store.atomicMultiStream) {
      t.equal((await store.readStream(a)).version, 0n, 'the stream that could have been appended to is untouched');
      t.equal((await store.readStream(b)).version, 2n);
      const again = await store.appendToStreams([appends[0]!, { ...appends[1]!, expected: 2n }]);
      t.same(
        again.map((r) => r.nextExpectedVersion),
        [1n, 3n],
        'decided again at the right versions, it lands',
      );
      const retried = await store.appendToStreams([appends[0]!, { ...appends[1]!, expected: 2n }]);
      t.same(
        retried.map((r) => r.nextExpectedVersion),
        [1n, 3n],
        'the same ids again: the first result, nothing twice',
      );
      t.equal((await store.readStream(b)).version, 3n);
    }
  });

  t.test(
    'a condition in a multi-stream append: lands only while its stream is where the caller saw it, and writes nothing to it',
    async (t) => {
      const store = await makeStore(t, []);
      const [room, a, b] = [1, 2, 3].map(() => `contract-${randomUUID()}`) as [string, string, string];
      await store.appendToStream(room, [ev('Opened')], 'no_stream');
      const landed = await store.appendToStreams([
        { streamId: a, events: [ev('A1')], expected: 'no_stream' },
        { streamId: room, events: [], expected: 1n },
      ]);
      t.equal(landed[1]?.nextExpectedVersion, 1n, 'the condition answers its version');
      t.equal(landed[1]?.position, landed[0]?.position, 'and the position of the append it was part of');
      t.equal((await store.readStream(room)).version, 1n, 'nothing appended to it');
      await store.appendToStream(room, [ev('Closed')], 1n);
      const refused = await store
        .appendToStreams([
          { streamId: b, events: [ev('B1')], expected: 'no_stream' },
          { streamId: room, events: [], expected: 1n },
        ])
        .then(
          () => null,
          (err: unknown) => err,
        );
      t.ok(refused instanceof WrongExpectedVersionError && refused.streamId === room, 'refused as a conflict that names the condition');
      if (store.atomicMultiStream) t.equal((await store.readStream(b)).version, 0n, 'a stale condition writes nothing anywhere');
    },
  );

  t.test('racing multi-stream appends over two shared streams, named in either order: exactly one wins', async (t) => {
    const store = await makeStore(t, []);
    const x = `contract-${randomUUID()}`;
    const y = `contract-${randomUUID()}`;
    await store.appendToStream(x, [ev('Start')], 'no_stream');
    await store.appendToStream(y, [ev('Start')], 'no_stream');
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => {
        const shared = [
          { streamId: x, events: [ev('Claim')], expected: 1n },
          { streamId: y, events: [ev('Claim')], expected: 1n },
        ];
        return store.appendToStreams([
          { streamId: `contract-${randomUUID()}`, events: [ev('Own')], expected: 'no_stream' },
          ...(i % 2 ? shared.reverse() : shared),
        ]);
      }),
    );
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    t.ok(
      results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof WrongExpectedVersionError),
      'the others are conflicts (no deadlock, no other error)',
    );
    t.equal((await store.readStream(x)).version, 2n);
    t.equal((await store.readStream(y)).version, 2n);
  });

  t.test('many callers appending at once: each gets its own outcome, whoever it was written beside', async (t) => {
    const store = await makeStore(t, []);
    const stale = `contract-${randomUUID()}`;
    await store.appendToStream(stale, [ev('Start'), ev('Moved')], 'no_stream');
    // 40 callers on streams of their own, every fifth also naming a stream at a version it is past.
    const callers = Array.from({ length: 40 }, (_, i) => {
      const own = `contract-${randomUUID()}`;
      const appends = [{ streamId: own, events: [ev('Own', { i })], expected: 'no_stream' as const }];
      return {
        own,
        conflicted: i % 5 === 0,
        appends: i % 5 === 0 ? [...appends, { streamId: stale, events: [ev('Late')], expected: 1n }] : appends,
      };
    });
    const results = await Promise.allSettled(callers.map((c) => store.appendToStreams(c.appends)));
    for (const [i, r] of results.entries()) {
      const caller = callers[i]!;
      if (caller.conflicted) t.ok(r.status === 'rejected' && r.reason instanceof WrongExpectedVersionError, `caller ${i}: a conflict`);
      else t.same(r.status === 'fulfilled' && r.value.map((x) => x.nextExpectedVersion), [1n], `caller ${i}: landed`);
    }
    const versions = await Promise.all(callers.map(async (c) => (await store.readStream(c.own)).version));
    if (store.atomicMultiStream)
      t.same(
        versions,
        callers.map((c) => (c.conflicted ? 0n : 1n)),
        'every caller that landed wrote its stream; none that conflicted wrote anything',
      );
    t.equal((await store.readStream(stale)).version, 2n, 'the stale stream is untouched');
  });

  t.test('racing writers on one stream: exactly one wins each version', async (t) => {
    const store = await makeStore(t, []);
    const s = `contract-${randomUUID()}`;
    await store.appendToStream(s, [ev('Start')], 'no_stream');
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => store.appendToStream(s, [ev('Claim')], 1n)));
    t.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    t.ok(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof WrongExpectedVersionError));
    t.equal((await store.readStream(s)).version, 2n);
  });

  t.test('a stream read while it is being appended to shows its version together with all its events', async (t) => {
    const store = await makeStore(t, []);
    const s = `contract-${randomUUID()}`;
    let writing = true;
    const writer = (async () => {
      for (let v = 0n; v < 60n; v++) await store.appendToStream(s, [ev('Tick')], v === 0n ? 'no_stream' : v);
      writing = false;
    })();
    const torn: string[] = [];
    while (writing) {
      const { version, events } = await store.readStream(s);
      if (BigInt(events.length) !== version) torn.push(`version ${version} with ${events.length} events`);
    }
    await writer;
    t.same(torn, [], 'never a version without its events');
  });

  t.test('listeners are woken by appends', async (t) => {
    const store = await makeStore(t, []);
    let woke = 0;
    const sub = await store.onAppended(() => woke++);
    t.teardown(() => sub.close());
    const before = woke;
    await store.appendToStream(`contract-${randomUUID()}`, [ev('Ping')], 'no_stream');
    await until(() => woke > before);
    t.ok(woke > before, 'woken after the append');
  });

  t.test('ping answers', async (t) => {
    const store = await makeStore(t, []);
    await t.resolves(store.ping());
  });
}
