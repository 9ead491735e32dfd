import t from 'tap';
import { startTestService } from '../../helpers/service.js';
import { recordAnalytics, sweepAnalytics } from '../../../src/analytics/events.js';

const { platform } = await startTestService(t);

t.test('analytics rows are appended and the retention job deletes only those past the period', async (t) => {
  const now = new Date('2026-12-01T00:00:00Z');
  const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
  await recordAnalytics(platform.db, [
    { kind: 'search', at: daysAgo(200), props: { partySize: 4 } },
    { kind: 'impression', at: daysAgo(181), userId: 'u1', item: 'type:small' },
    { kind: 'click', at: daysAgo(179), userId: 'u1', item: 'type:small' },
    { kind: 'exposure', at: daysAgo(1), userId: 'u1', experimentId: 'e1', arm: 'a' },
  ]);
  t.equal(await sweepAnalytics(platform.db, 180, now), 2);
  const left = await platform.db.selectFrom('analytics_events').select(['kind']).orderBy('occurred_at').execute();
  t.same(
    left.map((r) => r.kind),
    ['click', 'exposure'],
  );
  t.equal(await sweepAnalytics(platform.db, 180, now), 0, 'a second run finds nothing more');
});
