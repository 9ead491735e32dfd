/**
 * Item-based collaborative filtering over guests' bookings, pure so a test can
 * plant preferences and check they come back.
 *
 * Items are room types (`type:<id>`) and rooms (`room:<id>`): a booking is an
 * interaction with both. A guest's weight on an item sums their bookings of it,
 * each weighted by recency (half-life 90 days) and spend (1 + log10 of the
 * price in yuan / 3, so a 1,000-yuan night counts twice a 10-yuan one, not a
 * hundred times). Two items are similar when the same guests weigh on both
 * (cosine of their guest columns). A guest's score for an item is the average
 * similarity of that item to the guest's items, weighted by the guest's weights:
 * a number in [0, 1].
 */
export const MODEL_VERSION = 1;
const HALF_LIFE_DAYS = 90;
/** Neighbours kept per item: enough for a venue's catalogue, bounded for a big one. */
const NEIGHBOURS = 50;

export type Item = Readonly<{ key: string; roomTypeId: string; roomId: string | null }>;

export type Interaction = Readonly<{ guestId: string; roomTypeId: string; roomId: string; at: Date; spend: number; partySize: number }>;

export type SimilarityModel = Readonly<{
  version: number;
  builtAt: string;
  items: Readonly<Record<string, Item>>;
  /** Each item's most similar other items, best first: [item key, cosine]. */
  neighbours: Readonly<Record<string, readonly (readonly [string, number])[]>>;
}>;

export const typeKey = (roomTypeId: string) => `type:${roomTypeId}`;
export const roomKey = (roomId: string) => `room:${roomId}`;

export function interactionWeight(at: Date, spend: number, now: Date): number {
  const ageDays = Math.max(0, (now.getTime() - at.getTime()) / 86_400_000);
  return 0.5 ** (ageDays / HALF_LIFE_DAYS) * (1 + Math.log10(1 + Math.max(0, spend) / 100) / 3);
}

/** Guest × item weights. */
export function guestWeights(interactions: readonly Interaction[], now: Date): Map<string, Map<string, number>> {
  const byGuest = new Map<string, Map<string, number>>();
  for (const i of interactions) {
    const w = interactionWeight(i.at, i.spend, now);
    let row = byGuest.get(i.guestId);
    if (!row) byGuest.set(i.guestId, (row = new Map<string, number>()));
    for (const key of [typeKey(i.roomTypeId), roomKey(i.roomId)]) row.set(key, (row.get(key) ?? 0) + w);
  }
  return byGuest;
}

export function itemsOf(interactions: readonly Interaction[]): Record<string, Item> {
  const items: Record<string, Item> = {};
  for (const i of interactions) {
    items[typeKey(i.roomTypeId)] = { key: typeKey(i.roomTypeId), roomTypeId: i.roomTypeId, roomId: null };
    items[roomKey(i.roomId)] = { key: roomKey(i.roomId), roomTypeId: i.roomTypeId, roomId: i.roomId };
  }
  return items;
}

/** Cosine similarity between every two items' guest columns, keeping each item's nearest neighbours. */
export function buildModel(interactions: readonly Interaction[], now: Date): SimilarityModel {
  const weights = guestWeights(interactions, now);
  const norms = new Map<string, number>();
  const dots = new Map<string, Map<string, number>>();
  for (const row of weights.values()) {
    const entries = [...row];
    for (const [a, wa] of entries) {
      norms.set(a, (norms.get(a) ?? 0) + wa * wa);
      let d = dots.get(a);
      if (!d) dots.set(a, (d = new Map<string, number>()));
      for (const [b, wb] of entries) if (a !== b) d.set(b, (d.get(b) ?? 0) + wa * wb);
    }
  }
  const neighbours: Record<string, (readonly [string, number])[]> = {};
  for (const [a, d] of dots) {
    const na = Math.sqrt(norms.get(a) ?? 0);
    neighbours[a] = [...d]
      .map(([b, dot]): readonly [string, number] => [b, dot / (na * Math.sqrt(norms.get(b) ?? 0))])
      .filter(([, s]) => Number.isFinite(s) && s > 0)
      .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
      .slice(0, NEIGHBOURS);
  }
  return { version: MODEL_VERSION, builtAt: now.toISOString(), items: itemsOf(interactions), neighbours };
}

export type Scored = Readonly<{ item: Item; score: number; because: string | null; booked: boolean }>;

/**
 * Scores items for one guest from their own weights: each item's similarity to
 * the guest's items (an item is fully similar to itself), averaged with the
 * guest's weights. `because` names the guest's item that contributed most.
 */
export function scoreFor(model: SimilarityModel, mine: ReadonlyMap<string, number>): Scored[] {
  const total = [...mine.values()].reduce((s, w) => s + w, 0);
  if (total === 0) return [];
  const sums = new Map<string, { score: number; best: number; because: string }>();
  const add = (target: string, from: string, contribution: number) => {
    const s = sums.get(target) ?? { score: 0, best: 0, because: from };
    s.score += contribution;
    if (contribution > s.best) Object.assign(s, { best: contribution, because: from });
    sums.set(target, s);
  };
  for (const [from, w] of mine) {
    add(from, from, w);
    for (const [to, sim] of model.neighbours[from] ?? []) add(to, from, w * sim);
  }
  const scored: Scored[] = [];
  for (const [key, s] of sums) {
    const item = model.items[key];
    if (!item) continue;
    scored.push({ item, score: s.score / total, because: s.because === key ? null : s.because, booked: mine.has(key) });
  }
  return scored.sort((a, b) => b.score - a.score || a.item.key.localeCompare(b.item.key));
}
