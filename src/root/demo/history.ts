import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Platform } from '../../platform.js';
import type { VenueSettings } from '../../events/venue.js';
import { expireHold } from '../../../commands/bookings/expiry.js';
import { buildRecommender } from '../../../queries/recommendations/build.js';
import { readModelsOf } from '../../../projections/read-models.js';
import { businessDateOf, businessDayBounds } from '../../../domain/venue/settings.js';
import { addDays, instantOf } from '../../../domain/venue/time.js';
import { DEMO_PASSWORD, seedDemo } from './seed.js';
import { buildApp } from '../../app.js';
import { createRunner } from '../service.js';
import { installProjections } from '../../projections/registry.js';
import * as features from '../features.js';
import { planHistory, type HistoryPlan, type Visit } from './history-plan.js';
import { Timeline } from './timeline.js';

/** Public holidays the history knows (the demo's own stay in its settings). */
const HOLIDAYS = ['2026-09-25', ...Array.from({ length: 7 }, (_, i) => `2026-10-0${i + 1}`), '2026-12-25', '2027-01-01'];
const MINUTE = 60_000;

export type HistoryOptions = Readonly<{ days: number; guests: number; seed: number }>;
export type HistoryReport = Readonly<{ counts: Readonly<Record<string, number>>; outcomes: readonly string[] }>;

type Reply = { status: number; body: Record<string, unknown> };

/**
 * Plays a planned history through the real HTTP commands on a clock that walks
 * from the first planned action to the last: guests register, look at their
 * recommendations, search, hold, pay in the sandbox, cancel, are checked in
 * and out or marked no-show; unpaid holds expire; walk-ins come in; the
 * recommender is rebuilt every night. `app` must run on `setNow`'s clock.
 */
export async function playHistory(
  app: FastifyInstance,
  platform: Platform,
  setNow: (at: Date) => void,
  catchUp: () => Promise<void>,
  options: HistoryOptions,
  onDay?: (daysPlayed: number) => void,
): Promise<HistoryReport> {
  const counts: Record<string, number> = {};
  const count = (what: string): void => {
    counts[what] = (counts[what] ?? 0) + 1;
  };
  const outcomes: string[] = [];
  const key = (what: string) => `demo-history:${options.seed}:${what}`;
  const send = async (
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    token: string | null,
    payload?: object,
    idem?: string,
  ): Promise<Reply> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (idem) headers['idempotency-key'] = key(idem);
    const res = await app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 500) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {} };
  };
  const login = async (email: string) => {
    const res = await send('POST', '/auth/login', null, { email, password: DEMO_PASSWORD, deviceId: 'demo-history' });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.accessToken as string;
  };

  await catchUp();
  const manager = await login('manager@demo.ktv');
  const waiter = await login('waiter@demo.ktv');
  const venue = (await send('GET', '/venue', null)).body as unknown as VenueSettings;
  const holidays = [...new Set([...venue.holidays, ...HOLIDAYS])].sort();
  await send('PUT', '/venue', manager, { ...venue, holidays });
  const today = businessDateOf(platform.clock(), venue);
  await catchUp();
  const plan: HistoryPlan = planHistory(options.seed, options.days, options.guests, addDays(today, -1), holidays);

  const rooms = new Map<string, { id: string; name: string }[]>();
  for (const r of (await send('GET', '/rooms', null)).body as unknown as { id: string; name: string; type: string }[]) {
    rooms.set(
      r.type,
      [...(rooms.get(r.type) ?? []), r].sort((a, b) => a.name.localeCompare(b.name)),
    );
  }
  const roomName = new Map([...rooms.values()].flat().map((r) => [r.id, r.name]));

  const firstDay = businessDayBounds(plan.dates[0] ?? today, venue).start;
  setNow(new Date(firstDay.getTime() - 11 * 1440 * MINUTE));
  const tokens: string[] = [];
  for (const g of plan.guests) {
    const email = `guest${g.index}.seed${options.seed}@history.demo.ktv`;
    await send('POST', '/auth/register', null, { email, password: DEMO_PASSWORD, name: `Guest ${g.index}` }, `guest:${g.index}`);
    tokens.push(await login(email));
  }

  const timeline = new Timeline();
  const startOf = (date: string, minute: number) => {
    const offset = (minute - venue.businessDayStartMinute + 1440) % 1440;
    return new Date(businessDayBounds(date, venue).start.getTime() + offset * MINUTE);
  };
  const readModels = readModelsOf(platform.pool);
  for (const date of plan.dates) {
    timeline.add(instantOf(date, 4 * 60 + 30, venue.timeZone).getTime(), async () => {
      await catchUp();
      await buildRecommender(platform.db, readModels, platform.clock());
      count('nightly builds');
    });
  }

  const visit = async (v: Visit, start: Date) => {
    const token = tokens[v.guest]!;
    const ask = `start=${encodeURIComponent(start.toISOString())}&durationMinutes=${v.durationMinutes}&partySize=${v.partySize}`;
    if (v.asksRecommendations) {
      const recs = await send(
        'GET',
        `/recommendations?limit=5&partySize=${v.partySize}&start=${encodeURIComponent(start.toISOString())}`,
        token,
      );
      count('recommendation lists');
      const items = (recs.body.items ?? []) as { roomTypeId: string; roomId?: string }[];
      const chosen = items.find((i) => i.roomTypeId === v.roomTypeId);
      if (chosen) {
        const click = { roomTypeId: chosen.roomTypeId, ...(chosen.roomId ? { roomId: chosen.roomId } : {}) };
        const clicked = await send('POST', '/recommendations/clicks', token, click, `click:${v.id}`);
        count(clicked.status === 201 ? 'recommendation clicks' : `clicks refused ${String(clicked.body.code)}`);
      }
    }
    // The search is what a guest would see, and is recorded as one. Read models are caught up only at fixed points of
    // the simulated night, so what it shows may be a day old: the hold decides, on the room-day stream, and a guest
    // whose room turns out taken tries the next one, in an order fixed by the plan (so a seed plays the same).
    const search = await send('GET', `/availability?${ask}`, token);
    count(search.status === 200 ? 'searches' : `searches refused ${String(search.body.code)}`);
    const ofType = rooms.get(v.roomTypeId) ?? [];
    const first = plan.guests[v.guest]!.favouriteRoom % Math.max(1, ofType.length);
    const order = [...ofType.slice(first), ...ofType.slice(0, first)];
    let hold: Reply | null = null;
    let roomId = '';
    for (const room of order) {
      roomId = room.id;
      const body = { roomId, start: start.toISOString(), durationMinutes: v.durationMinutes, partySize: v.partySize };
      hold = await send('POST', '/bookings', token, body, `hold:${v.id}:${room.id}`);
      // Taken, or too small for this party (rooms of a type differ in capacity): the guest tries the next room.
      if (hold.body.code !== 'slot_taken' && hold.body.code !== 'party_too_large') break;
    }
    if (!hold) return count('no room of the type');
    outcomes.push(`${v.id}:${hold.status === 201 ? v.outcome : `refused_${String(hold.body.code)}`}:${roomName.get(roomId) ?? '?'}`);
    if (hold.status !== 201) return count(`refused ${String(hold.body.code)}`);
    count('holds');
    const id = hold.body.id as string;
    const now = platform.clock().getTime();
    if (v.outcome === 'abandoned') {
      timeline.add(Date.parse(hold.body.holdExpiresAt as string) + MINUTE, async () => {
        if (await expireHold({ store: platform.store, clock: platform.clock }, id)) count('expired');
      });
      return;
    }
    timeline.add(now + 2 * MINUTE, async () => {
      const payment = await send('POST', `/bookings/${id}/payments`, token, {}, `pay:${v.id}`);
      if (payment.status === 201 && payment.body.sandboxCompleteUrl) await send('POST', payment.body.sandboxCompleteUrl as string, null);
      count('paid');
      const end = start.getTime() + v.durationMinutes * MINUTE;
      if (v.outcome === 'cancelled') {
        timeline.add(now + (start.getTime() - now) / 2, async () => {
          if ((await send('POST', `/bookings/${id}/cancel`, token, { reason: 'plans changed' }, `cancel:${v.id}`)).status === 200)
            count('cancelled');
        });
      } else if (v.outcome === 'no_show') {
        timeline.add(start.getTime() + (venue.noShowGraceMinutes + 5) * MINUTE, async () => {
          if ((await send('POST', `/bookings/${id}/no-show`, waiter, undefined, `no-show:${v.id}`)).status < 300) count('no-shows');
        });
      } else {
        timeline.add(start.getTime() - 10 * MINUTE, async () => {
          if ((await send('POST', `/bookings/${id}/check-in`, waiter, undefined, `check-in:${v.id}`)).status >= 300) return;
          timeline.add(end, async () => {
            if ((await send('POST', `/bookings/${id}/check-out`, waiter, { settlement: 'cash' }, `check-out:${v.id}`)).status === 200)
              count('checked out');
          });
        });
      }
    });
  };

  for (const v of plan.visits) {
    const start = startOf(v.businessDate, v.startMinute);
    timeline.add(start.getTime() - v.leadMinutes * MINUTE, () => visit(v, start));
  }
  for (const w of plan.walkIns) {
    const start = startOf(w.businessDate, w.startMinute);
    timeline.add(start.getTime(), async () => {
      for (const room of rooms.get(w.roomTypeId) ?? []) {
        const res = await send(
          'POST',
          '/walk-ins',
          waiter,
          { roomId: room.id, partySize: w.partySize, durationMinutes: w.durationMinutes },
          `walk-in:${w.id}:${room.id}`,
        );
        if (res.status !== 201) continue;
        count('walk-ins');
        timeline.add(start.getTime() + w.durationMinutes * MINUTE, async () => {
          await send('POST', `/bookings/${res.body.id as string}/check-out`, waiter, { settlement: 'cash' }, `walk-in-out:${w.id}`);
        });
        return;
      }
      count('walk-ins turned away');
    });
  }

  // Nothing is played past the real present: the history ends where the service's own clock is.
  const present = Date.now();
  let first: number | undefined;
  for (let action = timeline.take(); action && action.at <= present; action = timeline.take()) {
    setNow(new Date(action.at));
    await action.run();
    onDay?.((action.at - (first ??= action.at)) / (24 * 60 * MINUTE));
  }
  setNow(new Date(present));
  await catchUp();
  await buildRecommender(platform.db, readModels, new Date(present));
  return { counts, outcomes };
}

const MARKER = (seed: number) => `demo-history-${seed}`;

/**
 * `npm run cli -- demo history`: the demo venue (seeded if it is not yet), then
 * the history played on a clock of its own through an app of its own, with the
 * projections caught up as it goes. Once per seed: a marker stream says it ran.
 */
export async function generateHistory(
  platform: Platform,
  options: HistoryOptions,
  onDay?: (daysPlayed: number) => void,
): Promise<HistoryReport | null> {
  if ((await platform.store.readStream(MARKER(options.seed))).version > 0n) return null;
  let now = Date.now();
  const simulated: Platform = { ...platform, clock: () => new Date(now) };
  const app = await buildApp(simulated, features.routes(simulated));
  const runner = createRunner(simulated);
  try {
    await installProjections(platform.db, features.projections);
    await seedDemo(app, platform.store, platform.logger);
    const report = await playHistory(
      app,
      simulated,
      (at) => (now = at.getTime()),
      () => runner.catchUp(),
      options,
      onDay,
    );
    await platform.store.appendToStream(
      MARKER(options.seed),
      [{ id: randomUUID(), type: 'DemoHistoryLoaded', data: report.counts }],
      'any',
    );
    return report;
  } finally {
    await app.close();
  }
}
