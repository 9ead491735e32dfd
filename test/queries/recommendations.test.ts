import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp, type SignedIn } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';
import { recordPastStay } from '../helpers/past-stays.js';
import { assignArm } from '../../domain/experiments/assignment.js';

const { app, runner, platform } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const { small, medium, large } = venue.rooms;

/** A past paid stay of `guest`, two hours from 20:00. */
const pastStay = (guest: SignedIn, roomId: string, roomTypeId: string, daysAgo: number, partySize: number) => {
  const start = venue.at(-daysAgo, '20:00');
  const businessDate = start.toISOString().slice(0, 10);
  return recordPastStay(platform.store, { roomId, roomTypeId, businessDate, start, hours: 2, guestId: guest.userId, partySize });
};

// Planted: twelve groups of friends book medium room M01 and the large room; four couples book small rooms.
const friends: SignedIn[] = [];
for (let i = 0; i < 12; i++) friends.push(await signUp(app, platform.store, 'guest'));
for (const [i, g] of friends.entries()) {
  await pastStay(g, medium[0]!, 'medium', 10 + i, 7);
  await pastStay(g, large[0]!, 'large', 20 + i, 9);
}
for (let i = 0; i < 4; i++) {
  const couple = await signUp(app, platform.store, 'guest');
  await pastStay(couple, small[i % 2]!, 'small', 5 + i, 2);
}
// The guest under test has been once, to M01, with six friends.
const newcomerToLarge = await signUp(app, platform.store, 'guest');
await pastStay(newcomerToLarge, medium[0]!, 'medium', 3, 6);
const cold = await signUp(app, platform.store, 'guest');
await runner.catchUp();

const get = (guest: SignedIn, query = '') => call(app, { method: 'GET', url: `/recommendations${query}`, headers: guest.auth });

t.test('a guest with history gets collaborative filtering: the large room their kind of guest also books', async (t) => {
  const res = await get(newcomerToLarge, '?limit=5');
  t.equal(res.status, 200);
  t.equal(res.body.strategy, 'collaborative');
  t.ok(res.body.items.length <= 5 && res.body.items.length > 0);
  const notBooked = res.body.items.filter((i: { roomTypeId: string }) => i.roomTypeId !== 'medium');
  t.equal(notBooked[0].roomTypeId, 'large', 'the best new item is the large room');
  t.match(notBooked[0].reason, /Guests who book .* like you also chose/);
  t.ok(
    res.body.items.every((i: { score: number }, k: number, all: { score: number }[]) => k === 0 || all[k - 1]!.score >= i.score),
    'best first',
  );
  const again = await get(newcomerToLarge, '?limit=5');
  t.same(again.body, res.body, 'the same list from the cache');
  const impressions = await platform.db
    .selectFrom('analytics_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', newcomerToLarge.userId)
    .where('kind', '=', 'impression')
    .executeTakeFirstOrThrow();
  t.equal(Number(impressions.n), res.body.items.length * 2, 'every item shown is an impression, in the analytics table');
});

t.test('a guest with no history gets what is popular for the party size and time', async (t) => {
  const res = await get(cold, `?limit=3&partySize=2&start=${encodeURIComponent(venue.at(1, '20:00').toISOString())}`);
  t.equal(res.status, 200);
  t.equal(res.body.strategy, 'popular');
  t.equal(res.body.items[0].roomTypeId, 'small', 'couples book small rooms');
  t.match(res.body.items[0].reason, /Popular for parties of 2 around 20:00/);
  const big = await get(cold, '?limit=3&partySize=9');
  t.ok(
    big.body.items.every((i: { roomTypeId: string }) => i.roomTypeId === 'large'),
    'only rooms that hold nine',
  );
});

t.test('with a recommendations experiment running, the strategy is the guest’s arm, exposures and clicks count', async (t) => {
  const arms = [
    { name: 'popular', weight: 1 },
    { name: 'cf-v2', weight: 1 },
  ];
  const created = await call(app, { method: 'POST', url: '/experiments', headers: venue.manager.auth, payload: { name: 'recs', arms } });
  t.equal(created.status, 201);
  await runner.catchUp();
  const id = created.body.id as string;
  for (const guest of friends.slice(0, 6)) {
    const res = await get(guest);
    const arm = assignArm(id, arms, guest.userId).name;
    t.equal(res.body.strategy, arm);
    if (arm === 'popular') t.match(res.body.items[0].reason, /^Popular/, 'the baseline arm gets popularity');
    else t.notMatch(res.body.items[0].reason, /^Popular/, 'the other arm gets collaborative filtering');
    const click = await call(app, {
      method: 'POST',
      url: '/recommendations/clicks',
      headers: guest.auth,
      payload: { roomTypeId: res.body.items[0].roomTypeId },
    });
    t.equal(click.status, 201);
  }
  const report = await call(app, { method: 'GET', url: `/experiments/${id}/report?goal=click`, headers: venue.manager.auth });
  t.equal(report.status, 200);
  const exposures = report.body.arms.reduce((s: number, a: { exposures: number }) => s + a.exposures, 0);
  const conversions = report.body.arms.reduce((s: number, a: { conversions: number }) => s + a.conversions, 0);
  t.equal(exposures, 6);
  t.equal(conversions, 6);
});

t.test('only signed-in guests (and staff) ask; bad input is 422', async (t) => {
  const accountant = await signUp(app, platform.store, 'accountant');
  t.equal((await get(accountant)).status, 403);
  t.equal((await call(app, { method: 'GET', url: '/recommendations' })).status, 401);
  t.equal((await get(cold, '?limit=0')).status, 422);
  t.equal((await get(cold, '?start=yesterday')).status, 422);
});
