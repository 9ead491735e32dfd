import t from 'tap';
import { buildModel, guestWeights, interactionWeight, scoreFor, type Interaction } from '../../../queries/recommendations/model.js';

const now = new Date('2026-11-01T00:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

/**
 * Planted preferences: three kinds of guests. Couples book small rooms (S1, S2);
 * friends book medium rooms and, for birthdays, the large one (M1, L1); company
 * parties book deluxe and party rooms (D1, P1). Guest 0 of each kind has booked
 * only one of their kind's items, so the model must find the other.
 */
function plantedHistory(): Interaction[] {
  const kinds = [
    {
      name: 'couple',
      items: [
        ['small', 'S1'],
        ['small', 'S2'],
      ],
    },
    {
      name: 'friends',
      items: [
        ['medium', 'M1'],
        ['large', 'L1'],
      ],
    },
    {
      name: 'company',
      items: [
        ['deluxe', 'D1'],
        ['party', 'P1'],
      ],
    },
  ] as const;
  const out: Interaction[] = [];
  for (const kind of kinds) {
    for (let g = 0; g < 30; g++) {
      const guestId = `${kind.name}-${g}`;
      const items = g === 0 ? kind.items.slice(0, 1) : kind.items;
      items.forEach(([roomTypeId, roomId], i) => {
        out.push({ guestId, roomTypeId, roomId, at: daysAgo(10 + g + i), spend: 30_000, partySize: 4 });
      });
    }
  }
  // Noise: a few guests cross over once.
  out.push({ guestId: 'couple-5', roomTypeId: 'deluxe', roomId: 'D1', at: daysAgo(50), spend: 80_000, partySize: 4 });
  out.push({ guestId: 'friends-7', roomTypeId: 'small', roomId: 'S1', at: daysAgo(40), spend: 10_000, partySize: 2 });
  return out;
}

t.test('item-based CF finds the planted preferences', async (t) => {
  const history = plantedHistory();
  const model = buildModel(history, now);
  t.ok(
    model.neighbours['type:medium']![0]![0] === 'room:M1' || model.neighbours['type:medium']![0]![0] === 'type:large',
    'medium is nearest its own kind',
  );
  const couple = scoreFor(model, guestWeights(history, now).get('couple-0')!).filter((s) => !s.booked);
  t.equal(couple[0]?.item.key, 'room:S2', "a couple who booked S1 is offered S2, the other couples' room");
  for (const [guest, expected, booked] of [
    ['friends-0', 'large', 'type:medium'],
    ['company-0', 'party', 'type:deluxe'],
    ['couple-0', 'small', 'room:S1'],
  ] as const) {
    const mine = guestWeights(history, now).get(guest)!;
    const scored = scoreFor(model, mine);
    const fresh = scored.filter((s) => !s.booked);
    // A type with one room and that room are the same column: either may lead.
    t.equal(fresh[0]?.item.roomTypeId, expected, `${guest}: the best item not yet booked is of type ${expected}`);
    t.ok(
      scored.every((s) => s.score >= 0 && s.score <= 1 + 1e-9),
      'scores within [0, 1]',
    );
    t.ok(scored.find((s) => s.item.key === booked)?.booked, `${booked} is marked as booked`);
    const other = scored.find((s) => s.item.key === (guest.startsWith('company') ? 'type:small' : 'type:party'));
    t.ok(!other || other.score < fresh[0]!.score / 5, 'other kinds rank far below');
  }
});

t.test('the model is deterministic, and recency and spend weigh', async (t) => {
  t.same(buildModel(plantedHistory(), now), buildModel(plantedHistory(), now));
  t.ok(interactionWeight(daysAgo(0), 10_000, now) > interactionWeight(daysAgo(90), 10_000, now) * 1.9, 'a 90-day half-life');
  t.ok(interactionWeight(daysAgo(0), 100_000, now) > interactionWeight(daysAgo(0), 1_000, now), 'a bigger spend weighs more');
  t.ok(interactionWeight(daysAgo(0), 100_000, now) < interactionWeight(daysAgo(0), 1_000, now) * 2, 'but not in proportion');
  t.same(scoreFor(buildModel([], now), new Map()), [], 'no history, no scores');
});
