import t from 'tap';
import { startTestService } from '../../helpers/service.js';
import { readModelsOf } from '../../../projections/read-models.js';
import { recommenderJobs, RECOMMENDER_BUILD } from '../../../queries/recommendations/jobs.js';
import type { JobQueue } from '../../../src/jobs/queue.js';

const { platform } = await startTestService(t);

t.test('the sweep schedules the next nightly build by date, and rebuilds a model that missed its night', async (t) => {
  const scheduled: { kind: string; id: string; runAt: Date }[] = [];
  // Records what is scheduled; the queues themselves are tested in test/src.
  const jobs: JobQueue = {
    schedule: async (kind, id, runAt) => void scheduled.push({ kind, id, runAt }),
    start: async () => {},
    close: async () => {},
  };
  let now = new Date('2026-11-20T10:00:00+08:00');
  const recommender = recommenderJobs({ db: platform.db, readModels: readModelsOf(platform.pool), jobs, clock: () => now });
  const builds = () => platform.db.selectFrom('recommender_models').select('built_at').execute();

  await recommender.sweeps[0]!();
  t.same(scheduled, [{ kind: RECOMMENDER_BUILD, id: '2026-11-21', runAt: new Date('2026-11-21T04:30:00+08:00') }]);
  t.same(await builds(), [], 'no model yet: the first request builds one, not the sweep');

  await recommender.handlers[RECOMMENDER_BUILD]();
  t.same(await builds(), [{ built_at: now }], 'the job builds the model');

  now = new Date('2026-11-21T04:31:00+08:00');
  await recommender.sweeps[0]!();
  t.same(
    scheduled.at(-1),
    { kind: RECOMMENDER_BUILD, id: '2026-11-22', runAt: new Date('2026-11-22T04:30:00+08:00') },
    'just after a night: the next one',
  );
  now = new Date('2026-11-21T12:00:00+08:00');
  await recommender.sweeps[0]!();
  t.same(await builds(), [{ built_at: new Date('2026-11-20T10:00:00+08:00') }], '26 hours not yet passed: kept');
  now = new Date('2026-11-22T13:00:00+08:00');
  await recommender.sweeps[0]!();
  t.same(await builds(), [{ built_at: now }], 'a model that missed its night is rebuilt, and only the newest kept');
});
