import t from 'tap';
import { AppendedPositions, noteAppended, reached, trackAppends } from '../../../src/eventstore/positions.js';
import { START, type Checkpoint } from '../../../src/eventstore/port.js';

const c = (s: string) => s as Checkpoint;

t.test('positions order as pairs of integers, not as text', async (t) => {
  t.ok(reached(c('10:5'), c('10:5')), 'at it');
  t.ok(reached(c('10:6'), c('10:5')));
  t.ok(reached(c('11:1'), c('10:5')), 'a later transaction');
  t.ok(reached(c('100:1'), c('99:500')), 'numerically, not by text');
  t.notOk(reached(c('10:4'), c('10:5')));
  t.notOk(reached(c('9:900'), c('10:5')));
  t.notOk(reached(START, c('1:1')), 'a build at the start has reached nothing');
});

t.test('appends are noted for the unit of work they happen in, and nowhere else', async (t) => {
  noteAppended(c('1:1'));
  const mine = new AppendedPositions();
  await new Promise<void>((resolve) =>
    trackAppends(mine, () => {
      void (async () => {
        await Promise.resolve();
        noteAppended(c('5:7'));
        await new Promise((r) => setTimeout(r, 1));
        noteAppended(c('6:9'));
        resolve();
      })();
    }),
  );
  t.equal(mine.last, '6:9', 'the latest append, across awaits');
  t.equal(new AppendedPositions().last, null);
});
