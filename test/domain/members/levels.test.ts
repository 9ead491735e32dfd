import t from 'tap';
import { earnedLevel, higherLevel, nextLevel, spendInPeriod } from '../../../domain/members/levels.js';

const thresholds = { silver: 100_000, gold: 500_000, black: 2_000_000 };

t.test('earned level: the highest threshold the spend reaches', async (t) => {
  t.equal(earnedLevel(0, thresholds), 'regular');
  t.equal(earnedLevel(99_999, thresholds), 'regular');
  t.equal(earnedLevel(100_000, thresholds), 'silver', 'a threshold reached exactly counts');
  t.equal(earnedLevel(499_999, thresholds), 'silver');
  t.equal(earnedLevel(500_000, thresholds), 'gold');
  t.equal(earnedLevel(5_000_000, thresholds), 'black');
});

t.test('spend in period: a rolling window ending now; older spend and spend after now do not count', async (t) => {
  const now = new Date('2026-03-13T12:00:00Z');
  const days = (n: number) => new Date(now.getTime() - n * 86_400_000);
  const spends = [
    { amount: 1000, at: days(0) },
    { amount: 2000, at: days(29) },
    { amount: 4000, at: days(30) },
    { amount: 8000, at: days(31) },
    { amount: 16000, at: new Date(now.getTime() + 1000) },
  ];
  t.equal(spendInPeriod(spends, 30, now), 3000, 'exactly 30 days old has left the window');
  t.equal(spendInPeriod(spends, 365, now), 15000);
  t.equal(spendInPeriod([], 30, now), 0);
});

t.test('higher level: regular < silver < gold < black', async (t) => {
  t.equal(higherLevel('silver', 'gold'), 'gold');
  t.equal(higherLevel('black', 'regular'), 'black');
  t.equal(higherLevel('silver', 'silver'), 'silver');
});

t.test('next level: the first threshold above the spend, and what is missing', async (t) => {
  t.same(nextLevel(0, thresholds), { level: 'silver', missing: 100_000 });
  t.same(nextLevel(100_000, thresholds), { level: 'gold', missing: 400_000 });
  t.same(nextLevel(1_999_999, thresholds), { level: 'black', missing: 1 });
  t.equal(nextLevel(2_000_000, thresholds), null, 'at the top');
});
