import { sql, type Kysely } from 'kysely';
import type { ReadModels } from '../../projections/read-models.js';
import { guestWeights, roomKey, scoreFor, typeKey, type SimilarityModel } from './model.js';
import { interactions } from './build.js';

/** How a list is made: collaborative filtering (topped up by popularity), or popularity alone. */
export type Algorithm = 'collaborative' | 'popular';

export type Recommendation = Readonly<{ roomTypeId: string; roomId?: string; score: number; reason: string }>;

export type Ask = Readonly<{ guestId: string; limit: number; partySize?: number; hour?: number; now: Date }>;

/** Popularity looks back this far, and around the asked hour by this many hours either side. */
const POPULAR_DAYS = 90;
const HOUR_WINDOW = 2;

type Catalogue = Readonly<{
  types: ReadonlyMap<string, { name: string; min: number; max: number }>;
  rooms: ReadonlyMap<string, { name: string; typeId: string; capacity: number; inService: boolean }>;
}>;

async function catalogue(db: Kysely<ReadModels>): Promise<Catalogue> {
  const [types, rooms] = await Promise.all([
    db.selectFrom('room_types').select(['id', 'name', 'min_capacity', 'max_capacity']).execute(),
    db.selectFrom('rooms').select(['id', 'name', 'room_type_id', 'capacity', 'status']).execute(),
  ]);
  return {
    types: new Map(types.map((t) => [t.id, { name: t.name, min: t.min_capacity, max: t.max_capacity }])),
    rooms: new Map(
      rooms.map((r) => [r.id, { name: r.name, typeId: r.room_type_id, capacity: r.capacity, inService: r.status === 'in_service' }]),
    ),
  };
}

/** Content: an item that cannot hold the party scores nothing; a type far too big for it, half. */
function fit(c: Catalogue, roomTypeId: string, roomId: string | null, partySize: number | undefined): number {
  if (partySize === undefined) return 1;
  if (roomId !== null) {
    const room = c.rooms.get(roomId);
    if (!room || !room.inService || room.capacity < partySize) return 0;
  }
  const type = c.types.get(roomTypeId);
  if (!type || type.max < partySize) return 0;
  return type.min > partySize ? 0.5 : 1;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const nameOf = (c: Catalogue, key: string): string => {
  const [kind, id = ''] = key.split(/:(.*)/s);
  return kind === 'room' ? `room ${c.rooms.get(id)?.name ?? id}` : `${c.types.get(id)?.name ?? id} rooms`;
};

/** Items booked most in the last 90 days by parties that fit, around the hour asked; scores relative to the most booked. */
async function popular(db: Kysely<ReadModels>, c: Catalogue, ask: Ask, timeZone: string): Promise<Recommendation[]> {
  let query = db
    .selectFrom('bookings')
    .select(['room_type_id', 'room_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', 'not in', ['expired'])
    .where('start_at', '>=', new Date(ask.now.getTime() - POPULAR_DAYS * 86_400_000))
    .groupBy(['room_type_id', 'room_id']);
  if (ask.partySize !== undefined)
    query = query.where('party_size', '>=', Math.max(1, ask.partySize - 2)).where('party_size', '<=', ask.partySize + 2);
  if (ask.hour !== undefined) {
    // Hours apart on the clock, so 23:00 is near 01:00.
    const local = sql<number>`extract(hour from start_at at time zone ${timeZone})`;
    query = query.where(sql<boolean>`least(abs(${local} - ${ask.hour}), 24 - abs(${local} - ${ask.hour})) <= ${HOUR_WINDOW}`);
  }
  const rows = await query.execute();
  const counts = new Map<string, { roomTypeId: string; roomId: string | null; n: number }>();
  for (const r of rows) {
    for (const [key, roomId] of [
      [typeKey(r.room_type_id), null],
      [roomKey(r.room_id), r.room_id],
    ] as const) {
      const entry = counts.get(key) ?? { roomTypeId: r.room_type_id, roomId, n: 0 };
      entry.n += Number(r.n);
      counts.set(key, entry);
    }
  }
  const max = Math.max(0, ...[...counts.values()].map((e) => e.n));
  const party = ask.partySize !== undefined ? ` for parties of ${ask.partySize}` : '';
  const around = ask.hour !== undefined ? ` around ${String(ask.hour).padStart(2, '0')}:00` : '';
  return [...counts]
    .map(([key, e]) => ({ key, ...e, score: max === 0 ? 0 : (e.n / max) * fit(c, e.roomTypeId, e.roomId, ask.partySize) }))
    .filter((e) => e.score > 0)
    .sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
    .map((e) => ({
      roomTypeId: e.roomTypeId,
      ...(e.roomId !== null ? { roomId: e.roomId } : {}),
      score: e.score,
      reason: `Popular${party}${around}: ${nameOf(c, e.key)} were booked ${e.n} time${e.n === 1 ? '' : 's'} lately`,
    }));
}

/** Collaborative filtering for a guest with history, each item with a reason the guest can read. */
function collaborative(
  model: SimilarityModel,
  c: Catalogue,
  mine: ReadonlyMap<string, number>,
  partySize: number | undefined,
): Recommendation[] {
  return scoreFor(model, mine)
    .map((s) => ({ ...s, score: s.score * fit(c, s.item.roomTypeId, s.item.roomId, partySize) }))
    .filter((s) => s.score > 0)
    .map((s) => ({
      roomTypeId: s.item.roomTypeId,
      ...(s.item.roomId !== null ? { roomId: s.item.roomId } : {}),
      score: s.score,
      reason:
        s.because === null
          ? `You have booked ${nameOf(c, s.item.key)} before`
          : `Guests who book ${nameOf(c, s.because)} like you also chose ${nameOf(c, s.item.key)}`,
    }))
    .sort((a, b) => b.score - a.score);
}

/**
 * A guest's list, best first. Collaborative filtering ranks from the guest's own
 * bookings (read now, so a booking made since the nightly build counts at once)
 * and the nightly similarities; popularity for the party size and hour fills
 * what it leaves (all of it for a guest with no history).
 */
export async function recommend(
  db: Kysely<ReadModels>,
  model: SimilarityModel | null,
  algorithm: Algorithm,
  ask: Ask,
  timeZone: string,
): Promise<{ items: Recommendation[]; used: Algorithm }> {
  const c = await catalogue(db);
  const history = await interactions(db, ask.now, ask.guestId);
  const partySize = ask.partySize ?? median(history.map((h) => h.partySize));
  const mine = guestWeights(history, ask.now).get(ask.guestId) ?? new Map<string, number>();
  const cf = algorithm === 'collaborative' && model ? collaborative(model, c, mine, partySize) : [];
  const items = [...cf];
  if (items.length < ask.limit) {
    const seen = new Set(items.map((i) => `${i.roomTypeId}|${i.roomId ?? ''}`));
    for (const p of await popular(db, c, { ...ask, partySize }, timeZone)) {
      if (items.length >= ask.limit) break;
      if (!seen.has(`${p.roomTypeId}|${p.roomId ?? ''}`)) items.push(p);
    }
  }
  // Nothing booked yet anywhere: the types that suit the party, by size, so the list is never empty for no reason.
  for (const [id, t] of [...c.types].sort((a, b) => a[1].min - b[1].min)) {
    if (items.length >= ask.limit) break;
    const suits = fit(c, id, null, partySize);
    if (suits > 0 && !items.some((i) => i.roomTypeId === id && i.roomId === undefined)) {
      items.push({ roomTypeId: id, score: 0.01 * suits, reason: `${t.name} rooms hold parties of ${t.min}–${t.max}` });
    }
  }
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return {
    items: items.slice(0, ask.limit).map((i) => ({ ...i, score: round(i.score) })),
    used: cf.length > 0 ? 'collaborative' : 'popular',
  };
}
