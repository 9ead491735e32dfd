import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { followCheckOuts, reviewLevels } from '../../commands/users/earned.js';
import { until } from '../helpers/until.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform, dayEndFarFromNow());
const [M01, M02] = venue.rooms.medium as [string, string];
const iso = (d: Date) => d.toISOString();

/** The member level the hold was priced at, as its event records it. */
const heldAt = async (bookingId: string) => {
  const { events } = await platform.store.readStream(`booking-${bookingId}`);
  return (events[0]!.data as { price: { breakdown: { discount: { level: string } } } }).price.breakdown.discount.level;
};

/** A member's visit: hold, confirmed at the desk, checked in and out; the bill's total. */
const visit = async (guest: { auth: Record<string, string> }, roomId: string, start: Date) => {
  const held = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId, start: iso(start), durationMinutes: 60, partySize: 6 },
  });
  if (held.status !== 201) throw new Error(held.raw);
  const id = held.body.id as string;
  for (const step of ['confirm', 'check-in', 'check-out']) {
    const r = await call(app, { method: 'POST', url: `/bookings/${id}/${step}`, headers: venue.waiter.auth });
    if (r.status !== 200) throw new Error(`${step}: ${r.raw}`);
    if (step === 'check-out') return { id, level: await heldAt(id), total: r.body.bill.total as number };
  }
  throw new Error('unreachable');
};

t.test('levels are earned from spend at check-out, and the next hold is priced at the new level', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const none = await call(app, { method: 'GET', url: '/membership/levels', headers: guest.auth });
  t.equal(none.status, 404, 'no rules yet');
  t.equal((await call(app, { method: 'GET', url: '/me/membership', headers: guest.auth })).status, 404);

  const rules = { periodDays: 365, thresholds: { silver: 1, gold: 900_000_000, black: 1_000_000_000 } };
  t.equal((await call(app, { method: 'PUT', url: '/membership/levels', headers: guest.auth, payload: rules })).status, 403);
  t.equal((await call(app, { method: 'PUT', url: '/membership/levels', headers: venue.waiter.auth, payload: rules })).status, 403);
  const set = await call(app, { method: 'PUT', url: '/membership/levels', headers: venue.manager.auth, payload: rules });
  t.equal(set.status, 200, set.raw);
  t.same(set.body, { version: 1, ...rules });
  const bad = await call(app, {
    method: 'PUT',
    url: '/membership/levels',
    headers: venue.manager.auth,
    payload: { periodDays: 365, thresholds: { silver: 3, gold: 2, black: 1 } },
  });
  t.equal(bad.body.code, 'thresholds_not_ascending');
  for (const payload of [
    {},
    { periodDays: 0, thresholds: rules.thresholds },
    { periodDays: 30, thresholds: { silver: -1, gold: 2, black: 3 } },
  ]) {
    t.equal((await call(app, { method: 'PUT', url: '/membership/levels', headers: venue.manager.auth, payload })).status, 422);
  }
  t.same((await call(app, { method: 'GET', url: '/membership/levels', headers: guest.auth })).body, { version: 1, ...rules }, 'unchanged');

  const start = new Date(Math.ceil((Date.now() + 60_000) / 900_000) * 900_000);
  const first = await visit(guest, M01, start);
  t.equal(first.level, 'regular');
  t.ok(first.total > 0);
  // The feed shows an event once no older transaction is still open: asked again until it does, as the 30 s sweep would.
  t.equal(await until(() => followCheckOuts(platform)), 1, 'one check-out followed');
  t.equal(await followCheckOuts(platform), 0, 'and not again');
  await runner.catchUp();
  const me = await call(app, { method: 'GET', url: '/me', headers: guest.auth });
  t.equal(me.body.membershipLevel, 'silver', 'the spend earned silver');
  const audit = await platform.pool.query<{ detail: { spend: number; previous: string } }>(
    "SELECT detail FROM rm.auth_audit WHERE user_id = $1 AND type = 'MembershipLevelEarned'",
    [me.body.id],
  );
  t.match(audit.rows, [{ detail: { level: 'silver', previous: 'regular', spend: first.total, periodDays: 365, rulesVersion: 1 } }]);

  const standing = await call(app, { method: 'GET', url: '/me/membership', headers: guest.auth });
  t.same(standing.body, {
    level: 'silver',
    levelSetByHand: 'regular',
    spend: first.total,
    periodDays: 365,
    next: { level: 'gold', missing: 900_000_000 - first.total },
  });

  const second = await call(app, {
    method: 'POST',
    url: '/bookings',
    headers: guest.auth,
    payload: { roomId: M02, start: iso(new Date(start.getTime() + 86_400_000)), durationMinutes: 60, partySize: 6 },
  });
  t.equal(second.status, 201, second.raw);
  t.equal(await heldAt(second.body.id), 'silver', 'the hold is priced at the level in force when it is made');

  // Gold out of reach, silver kept; raising silver's threshold past the spend takes it away at the next review.
  const higher = { periodDays: 365, thresholds: { silver: first.total + 1, gold: 900_000_000, black: 1_000_000_000 } };
  t.equal((await call(app, { method: 'PUT', url: '/membership/levels', headers: venue.manager.auth, payload: higher })).body.version, 2);
  const again = await visit(guest, M02, start);
  t.equal(again.level, 'silver');
  await until(() => followCheckOuts(platform));
  await runner.catchUp();
  t.equal(
    (await call(app, { method: 'GET', url: '/me', headers: guest.auth })).body.membershipLevel,
    'silver',
    'both visits together reach the raised threshold',
  );

  // Thresholds beyond the spend: the daily review takes the level away without a visit, once a day.
  const beyond = { periodDays: 365, thresholds: { silver: 800_000_000, gold: 900_000_000, black: 1_000_000_000 } };
  t.equal((await call(app, { method: 'PUT', url: '/membership/levels', headers: venue.manager.auth, payload: beyond })).status, 200);
  await platform.pool.query("UPDATE process_checkpoints SET checkpoint = '' WHERE name = 'member-levels-review'");
  t.ok(((await reviewLevels(platform)) ?? 0) >= 1, 'members above regular reviewed');
  t.equal(await reviewLevels(platform), null, 'not twice a day');
  await runner.catchUp();
  t.equal((await call(app, { method: 'GET', url: '/me', headers: guest.auth })).body.membershipLevel, 'regular', 'lapsed');
});

t.test('walk-ins have no member: nothing is recorded', async (t) => {
  await followCheckOuts(platform);
  const walkIn = await call(app, {
    method: 'POST',
    url: '/walk-ins',
    headers: venue.waiter.auth,
    payload: { roomId: venue.rooms.large[0], durationMinutes: 60, partySize: 10 },
  });
  t.equal(walkIn.status, 201, walkIn.raw);
  const out = await call(app, { method: 'POST', url: `/bookings/${walkIn.body.id}/check-out`, headers: venue.waiter.auth });
  t.equal(out.status, 200, out.raw);
  t.equal(await until(() => followCheckOuts(platform)), 1);
  const { rows } = await platform.pool.query("SELECT 1 FROM events WHERE event_type = 'MemberSpendRecorded' AND data->>'bookingId' = $1", [
    walkIn.body.id,
  ]);
  t.equal(rows.length, 0);
});
