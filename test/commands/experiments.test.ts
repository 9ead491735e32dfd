import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { assignArm } from '../../domain/experiments/assignment.js';

const { app, runner, platform } = await startTestService(t);
const manager = await signUp(app, platform.store, 'manager');
const guest = await signUp(app, platform.store, 'guest');

const arms = [
  { name: 'control', weight: 1 },
  { name: 'cf', weight: 1 },
];

t.test('an experiment: created, assignment stable and not an exposure, events tracked, report per arm', async (t) => {
  const created = await call(app, { method: 'POST', url: '/experiments', headers: manager.auth, payload: { name: 'Recs v1', arms } });
  t.equal(created.status, 201);
  const id = created.body.id as string;
  t.ok(created.headers['event-position'], 'answers with Event-Position like every command');

  // Straight after creation, before any projection ran: assignment decides from the experiment's stream.
  const first = await call(app, { method: 'GET', url: `/experiments/${id}/assignment?userId=anyone-at-all`, headers: manager.auth });
  t.equal(first.status, 200);
  t.same(first.body, { experimentId: id, userId: 'anyone-at-all', arm: assignArm(id, arms, 'anyone-at-all').name });
  for (let i = 0; i < 3; i++) {
    const again = await call(app, { method: 'GET', url: `/experiments/${id}/assignment?userId=anyone-at-all`, headers: manager.auth });
    t.equal(again.body.arm, first.body.arm, 'the same arm every time');
  }

  await runner.catchUp();
  const before = await call(app, { method: 'GET', url: `/experiments/${id}/report`, headers: manager.auth });
  t.equal(before.status, 200);
  t.same(
    before.body.arms.map((a: { exposures: number }) => a.exposures),
    [0, 0],
    'asking for an assignment exposes nobody',
  );
  t.same(before.body.arms[0].interval, [0, 1]);

  // 40 users exposed (staff record for them), every user in the `cf` arm converts, nobody in control.
  const users = Array.from({ length: 40 }, (_, i) => `visitor-${i}`);
  for (const userId of users) {
    const exposed = await call(app, {
      method: 'POST',
      url: `/experiments/${id}/events`,
      headers: manager.auth,
      payload: { kind: 'exposure', userId },
    });
    t.equal(exposed.status, 201);
    if (exposed.body.arm === 'cf') {
      await call(app, { method: 'POST', url: `/experiments/${id}/events`, headers: manager.auth, payload: { kind: 'conversion', userId } });
    }
  }
  // A guest records their own exposure; recording for someone else is staff only.
  const own = await call(app, { method: 'POST', url: `/experiments/${id}/events`, headers: guest.auth, payload: { kind: 'exposure' } });
  t.equal(own.status, 201);
  t.equal(own.body.userId, guest.userId);
  const foreign = await call(app, {
    method: 'POST',
    url: `/experiments/${id}/events`,
    headers: guest.auth,
    payload: { kind: 'conversion', userId: 'visitor-1' },
  });
  t.equal(foreign.status, 403);

  const report = await call(app, { method: 'GET', url: `/experiments/${id}/report`, headers: manager.auth });
  t.equal(report.status, 200);
  const inCf = users.filter((u) => assignArm(id, arms, u).name === 'cf').length;
  const ownArm = own.body.arm as string;
  const byName = Object.fromEntries(report.body.arms.map((a: { name: string }) => [a.name, a]));
  t.equal(byName.cf.exposures, inCf + (ownArm === 'cf' ? 1 : 0));
  t.equal(byName.cf.conversions, inCf);
  t.equal(byName.control.exposures, 40 - inCf + (ownArm === 'control' ? 1 : 0));
  t.equal(byName.control.conversions, 0);
  t.ok(byName.cf.interval[0] > byName.control.interval[1], 'the intervals separate');
  t.equal(report.body.comparisons[0].arm, 'cf');
  t.ok(report.body.comparisons[0].pValue < 0.001);
  t.type(report.body.sampleRatio.mismatch, 'boolean');
});

t.test('bad input and unknown experiments are 4xx; guests cannot manage experiments', async (t) => {
  const noArms = await call(app, { method: 'POST', url: '/experiments', headers: manager.auth, payload: { name: 'x', arms: [] } });
  t.equal(noArms.status, 422);
  const zero = await call(app, {
    method: 'POST',
    url: '/experiments',
    headers: manager.auth,
    payload: { name: 'x', arms: [{ name: 'a', weight: 0 }] },
  });
  t.equal(zero.status, 422);
  const dup = await call(app, {
    method: 'POST',
    url: '/experiments',
    headers: manager.auth,
    payload: {
      name: 'x',
      arms: [
        { name: 'a', weight: 1 },
        { name: 'a', weight: 1 },
      ],
    },
  });
  t.equal(dup.status, 422);
  const unknown = '00000000-0000-4000-8000-000000000000';
  t.equal((await call(app, { method: 'GET', url: `/experiments/${unknown}/assignment?userId=u`, headers: manager.auth })).status, 404);
  t.equal((await call(app, { method: 'GET', url: `/experiments/not-a-uuid/report`, headers: manager.auth })).status, 404);
  t.equal((await call(app, { method: 'GET', url: `/experiments/${unknown}/report`, headers: manager.auth })).status, 404);
  t.equal(
    (await call(app, { method: 'GET', url: `/experiments/${unknown}/assignment`, headers: manager.auth })).status,
    422,
    'userId required',
  );
  t.equal((await call(app, { method: 'POST', url: '/experiments', headers: guest.auth, payload: { name: 'x', arms } })).status, 403);
});
