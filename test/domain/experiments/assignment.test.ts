import t from 'tap';
import { crc32 } from 'node:zlib';
import { assignArm, bucketBounds, bucketOf, BUCKETS } from '../../../domain/experiments/assignment.js';

t.test('the bucket is CRC32 of experiment and user id, modulo the bucket count', async (t) => {
  // CRC32 of "123456789" is the standard check value 0xCBF43926.
  t.equal(crc32('123456789'), 0xcbf43926);
  t.equal(bucketOf('exp', 'user-1'), crc32('exp:user-1') % BUCKETS);
});

t.test('weights become contiguous bucket ranges that tile all buckets', async (t) => {
  t.same(
    bucketBounds([
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
    ]),
    [5000, 10000],
  );
  t.same(
    bucketBounds([
      { name: 'a', weight: 1 },
      { name: 'b', weight: 2 },
      { name: 'c', weight: 1 },
    ]),
    [2500, 7500, 10000],
  );
  t.same(bucketBounds([{ name: 'only', weight: 0.3 }]), [10000]);
});

t.test('a user stays in one arm, and arms get users in proportion to their weights', async (t) => {
  const arms = [
    { name: 'control', weight: 1 },
    { name: 'treatment', weight: 3 },
  ];
  const counts = { control: 0, treatment: 0 };
  for (let i = 0; i < 20_000; i++) {
    const user = `user-${i}`;
    const arm = assignArm('exp-1', arms, user).name as keyof typeof counts;
    counts[arm]++;
    if (i % 1000 === 0) t.equal(assignArm('exp-1', arms, user).name, arm, `user ${i} is assigned the same arm again`);
  }
  const share = counts.treatment / 20_000;
  t.ok(share > 0.73 && share < 0.77, `treatment share ${share} is close to 3/4`);
});

t.test('one user lands independently in different experiments', async (t) => {
  const arms = [
    { name: 'a', weight: 1 },
    { name: 'b', weight: 1 },
  ];
  let same = 0;
  for (let i = 0; i < 2000; i++) if (assignArm('exp-x', arms, `u${i}`).name === assignArm('exp-y', arms, `u${i}`).name) same++;
  t.ok(same > 850 && same < 1150, `${same} of 2000 users share an arm across experiments, about half as chance gives`);
});
