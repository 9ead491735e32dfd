import t, { type Test } from 'tap';
import { chiSquareUpperTail, normalCdf, sampleRatioCheck, twoProportionTest, wilsonInterval } from '../../../domain/experiments/stats.js';

const close = (t: Test, found: number, expected: number, tolerance: number, message: string) =>
  t.ok(Math.abs(found - expected) <= tolerance, `${message}: ${found} ≈ ${expected}`);

t.test('Wilson score interval, against hand-worked values', async (t) => {
  // 10 of 100 at 95 %: [0.0552, 0.1744] (standard textbook value).
  const [low, high] = wilsonInterval(10, 100);
  close(t, low, 0.0552, 0.0005, 'low');
  close(t, high, 0.1744, 0.0005, 'high');
  // 0 of 10: [0, 0.2775].
  const [zeroLow, zeroHigh] = wilsonInterval(0, 10);
  t.equal(zeroLow, 0);
  close(t, zeroHigh, 0.2775, 0.0005, '0/10 high');
  // All successes stays inside [0, 1].
  const [allLow, allHigh] = wilsonInterval(10, 10);
  close(t, allLow, 0.7225, 0.0005, '10/10 low');
  t.equal(allHigh, 1);
  t.same(wilsonInterval(0, 0), [0, 1], 'no trials: nothing is known');
});

t.test('normal CDF and chi-square tail', async (t) => {
  close(t, normalCdf(1.959964), 0.975, 1e-6, 'Φ(1.96)');
  close(t, normalCdf(0), 0.5, 1e-9, 'Φ(0)');
  close(t, chiSquareUpperTail(3.841, 1), 0.05, 0.01, 'χ²(1) at 3.841');
  close(t, chiSquareUpperTail(5.991, 2), 0.05, 0.005, 'χ²(2) at 5.991');
});

t.test('two-proportion z-test', async (t) => {
  // 100/1000 against 130/1000: pooled 0.115, se 0.014267, z 2.1028, p 0.0355.
  const r = twoProportionTest(100, 1000, 130, 1000);
  close(t, r.difference, 0.03, 1e-9, 'difference');
  close(t, r.z, 2.1028, 0.001, 'z');
  close(t, r.pValue, 0.0355, 0.001, 'p');
  t.same(twoProportionTest(0, 0, 1, 10), { difference: 0.1, z: 0, pValue: 1 }, 'no trials on one side: no evidence');
});

t.test('sample-ratio mismatch is flagged when exposures do not fit the weights', async (t) => {
  t.equal(sampleRatioCheck([5010, 4990], [1, 1]).mismatch, false, 'a fair split passes');
  t.equal(sampleRatioCheck([5500, 4500], [1, 1]).mismatch, true, '55/45 on a 50/50 split is flagged');
  t.equal(sampleRatioCheck([2500, 7500], [1, 3]).mismatch, false, 'weights are honoured');
});
