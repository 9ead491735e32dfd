import t from 'tap';
import { GroupCommit } from '../../../src/eventstore/group-commit.js';

type Write = Readonly<{ id: number; keys: readonly string[]; refuse?: boolean }>;

/** A store that takes `together` and `alone` calls, answering each after the test lets it. */
function recorder(maxInFlight: number) {
  const batches: number[][] = [];
  const alone: number[] = [];
  const gates: (() => void)[] = [];
  const wait = () => new Promise<void>((r) => gates.push(r));
  const gc = new GroupCommit<Write, string>({
    maxInFlight,
    maxBatch: 3,
    keysOf: (w) => w.keys,
    together: async (ws) => {
      batches.push(ws.map((w) => w.id));
      await wait();
      return ws.some((w) => w.refuse) ? null : ws.map((w) => `together ${w.id}`);
    },
    alone: async (w) => {
      alone.push(w.id);
      await wait();
      if (w.refuse) throw new Error(`conflict ${w.id}`);
      return `alone ${w.id}`;
    },
  });
  const open = async () => {
    while (gates.length > 0) {
      gates.splice(0).forEach((g) => g());
      await new Promise((r) => setImmediate(r));
    }
  };
  return { gc, batches, alone, open };
}

t.test('a quiet store writes each write at once, alone', async (t) => {
  const { gc, batches, alone, open } = recorder(2);
  const a = gc.write({ id: 1, keys: ['a'] });
  const b = gc.write({ id: 2, keys: ['b'] });
  await open();
  t.same(await Promise.all([a, b]), ['alone 1', 'alone 2']);
  t.same(batches, [], 'no batch while a slot was free');
  t.same(alone, [1, 2]);
});

t.test('writes queued behind a busy store go together, in order, never two sharing a key', async (t) => {
  const { gc, batches, open } = recorder(1);
  const first = gc.write({ id: 1, keys: ['a'] });
  const queued = [
    gc.write({ id: 2, keys: ['b'] }),
    gc.write({ id: 3, keys: ['c', 'b'] }),
    gc.write({ id: 4, keys: ['d'] }),
    gc.write({ id: 5, keys: ['e'] }),
    gc.write({ id: 6, keys: ['f'] }),
  ];
  await open();
  t.equal(await first, 'alone 1');
  t.same(await Promise.all(queued), ['together 2', 'together 3', 'together 4', 'together 5', 'together 6']);
  t.same(
    batches,
    [
      [2, 4, 5],
      [3, 6],
    ],
    'the write sharing key b waits for the next batch; at most three a batch',
  );
});

t.test('a batch refused as a whole is written again one write at a time, each with its own outcome', async (t) => {
  const { gc, batches, alone, open } = recorder(1);
  const first = gc.write({ id: 1, keys: ['a'] });
  const queued = [gc.write({ id: 2, keys: ['b'] }), gc.write({ id: 3, keys: ['c'], refuse: true }), gc.write({ id: 4, keys: ['d'] })];
  const settled = Promise.allSettled(queued);
  await open();
  await first;
  const results = await settled;
  t.same(batches, [[2, 3, 4]]);
  t.same(alone, [1, 2, 3, 4]);
  t.same(
    results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
    ['alone 2', 'conflict 3', 'alone 4'],
  );
});
