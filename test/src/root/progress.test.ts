import t from 'tap';
import { progress } from '../../../src/root/progress.js';

const writer = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, out: { isTTY, write: (text: string) => written.push(text) } };
};

t.test('a terminal gets one line redrawn with the count, share, rate and time left', async (t) => {
  let ms = 0;
  const { written, out } = writer(true);
  const p = progress('rebuilding ledger', { total: 10_000, unit: 'events', enabled: true, out, now: () => ms });
  ms = 1000;
  p.update(2500);
  ms = 1100;
  p.update(2600); // within a quarter of a second of the last: not drawn
  ms = 2000;
  p.update(5000);
  ms = 4000;
  p.update(10_000);
  p.finish();
  t.same(written, [
    '\rrebuilding ledger: 2,500 of 10,000 events, 25 %, 2,500 events/s, 3 s left\x1b[K',
    '\rrebuilding ledger: 5,000 of 10,000 events, 50 %, 2,500 events/s, 2 s left\x1b[K',
    '\rrebuilding ledger: 10,000 of 10,000 events, 100 %, 2,500 events/s, 0 s left\x1b[K',
    '\rrebuilding ledger: 10,000 of 10,000 events, 100 %, 2,500 events/s, 0 s left\x1b[K\n',
  ]);
});

t.test('elsewhere a line every five seconds; no total, no share or time left', async (t) => {
  let ms = 0;
  const { written, out } = writer(false);
  const p = progress('playing history', { total: null, unit: 'days', enabled: true, out, now: () => ms });
  ms = 1000;
  p.update(1);
  ms = 3000;
  p.update(3);
  ms = 7000;
  p.update(7);
  p.finish(); // already said
  ms = 8000;
  p.update(8);
  p.finish();
  t.same(written, ['playing history: 1 days, 1 days/s\n', 'playing history: 7 days, 1 days/s\n', 'playing history: 8 days, 1 days/s\n']);
});

t.test('not asked for: nothing at all', async (t) => {
  const { written, out } = writer(true);
  const p = progress('x', { total: 1, unit: 'events', enabled: false, out });
  p.update(1);
  p.finish();
  t.same(written, []);
});

t.test('long work reads in minutes and hours', async (t) => {
  let ms = 0;
  const { written, out } = writer(false);
  const p = progress('replay', { total: 1_000_000, unit: 'events', enabled: true, out, now: () => ms });
  ms = 10_000;
  p.update(1000);
  t.match(written[0], /100 events\/s, 2 h 47 min left/);
});
