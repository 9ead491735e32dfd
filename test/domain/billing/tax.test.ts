import t from 'tap';
import { shareOut } from '../../../domain/billing/tax.js';

t.test('shares add up to the amount exactly, in proportion to the parts', async (t) => {
  t.same(shareOut(1698, [24000, 6000]), [1358, 340], '6 % VAT of 300.00 over room 240.00 and drinks 60.00');
  t.same(shareOut(100, [1, 1, 1]), [34, 33, 33], 'what rounding leaves goes to the largest part (the first of equals)');
  t.same(shareOut(1528, [24000, 6000, -3000]), [1358, 340, -170], 'a negative part (an adjustment) takes a negative share');
  for (const [amount, parts] of [
    [1, [3, 3, 3]],
    [999, [17, 29, 1, 53]],
    [12345, [100000, -5000, 2500]],
  ] as const) {
    const shares = shareOut(amount, parts);
    t.equal(
      shares.reduce((s, x) => s + x, 0),
      amount,
      `${amount} over ${parts.join(', ')}`,
    );
  }
});

t.test('nothing to share, or nothing to share it over, is all zeros', async (t) => {
  t.same(shareOut(0, [100, 200]), [0, 0]);
  t.same(shareOut(50, [100, -100]), [0, 0]);
});
