import t from 'tap';
import { ANY, NO_STREAM, STREAM_EXISTS } from '@eventstore/db-client';
import { START, type Checkpoint } from '../../../src/eventstore/port.js';
import {
  decode,
  encode,
  isAfter,
  isSystem,
  requirePosition,
  splitMetadata,
  toEventData,
  toRevision,
} from '../../../src/eventstore/eventstoredb-mapping.js';

/** The EventStoreDB adapter's translations, which need no server (the contract suite needs one: EVENTSTORE_URL). */

t.test('expected versions become revisions: version n is revision n - 1, version 0 is no stream', async (t) => {
  t.equal(toRevision('any'), ANY);
  t.equal(toRevision('no_stream'), NO_STREAM);
  t.equal(toRevision('stream_exists'), STREAM_EXISTS);
  t.equal(toRevision(0n), NO_STREAM);
  t.equal(toRevision(1n), 0n);
  t.equal(toRevision(42n), 41n);
});

t.test('checkpoints are commit:prepare positions, and START is the beginning of $all', async (t) => {
  const p = { commit: 1234567890123n, prepare: 1234567890000n };
  t.equal(encode(p), '1234567890123:1234567890000');
  t.same(decode(encode(p)), p, 'round trip');
  t.equal(decode(START), null);
  for (const bad of ['12', '12:x', '12:3:4', ':3', '-1:2', 'tx:5'])
    t.throws(() => decode(bad as Checkpoint), /not an EventStoreDB checkpoint/, bad);
});

t.test('positions order by commit, then prepare; anything is after the beginning', async (t) => {
  const at = (commit: bigint, prepare: bigint) => ({ commit, prepare });
  t.ok(isAfter(at(5n, 1n), null));
  t.ok(isAfter(at(6n, 0n), at(5n, 9n)));
  t.ok(isAfter(at(5n, 2n), at(5n, 1n)));
  t.notOk(isAfter(at(5n, 1n), at(5n, 1n)), 'not after itself');
  t.notOk(isAfter(at(4n, 9n), at(5n, 0n)));
  t.throws(() => requirePosition(undefined), /22\.6 or later/);
});

t.test('our metadata and the schema version travel together and come apart again', async (t) => {
  const data = toEventData({
    id: '5f0c9c7e-55b1-4a4e-9a47-0f1f9b6d7c11',
    type: 'BookingHeld',
    data: { a: 1 },
    metadata: { actor: 'u1', correlationId: 'c1' },
    schemaVersion: 2,
  });
  t.match(data, {
    id: '5f0c9c7e-55b1-4a4e-9a47-0f1f9b6d7c11',
    type: 'BookingHeld',
    data: { a: 1 },
    metadata: { actor: 'u1', correlationId: 'c1', schemaVersion: 2 },
  });
  t.same(splitMetadata(data.metadata), { schemaVersion: 2, metadata: { actor: 'u1', correlationId: 'c1' } });
  t.same(splitMetadata({ actor: 'u1' }), { schemaVersion: 1, metadata: { actor: 'u1' } }, 'no schema version stored: version 1');
  t.same(splitMetadata(new Uint8Array([1, 2])), { schemaVersion: 1, metadata: {} }, 'binary metadata carries nothing of ours');
  t.same(splitMetadata(null), { schemaVersion: 1, metadata: {} });
});

t.test("EventStoreDB's own events are told apart by a $ in the type or the stream", async (t) => {
  t.ok(isSystem({ type: '$statsCollected', streamId: '$stats-127.0.0.1:2113' }));
  t.ok(isSystem({ type: 'SomethingElse', streamId: '$settings' }));
  t.notOk(isSystem({ type: 'BookingHeld', streamId: 'booking-1' }));
});
