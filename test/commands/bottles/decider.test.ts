import t from 'tap';
import { bottleDecider, type BottleCommand } from '../../../commands/bottles/decider.js';
import type { BottleEvent } from '../../../src/events/bottles.js';
import { DeciderSpecification } from '../../helpers/decider-spec.js';

const spec = DeciderSpecification.for(bottleDecider);
const stored: BottleEvent = {
  type: 'BottleStored',
  data: {
    bottleId: 'b-1',
    memberId: 'm-1',
    productId: 'p-1',
    productName: 'Chivas 12',
    remaining: 'half',
    note: null,
    bookingId: null,
    storedBy: 'waiter',
    expiresAt: '2026-04-12T12:00:00.000Z',
    at: '2026-03-13T12:00:00.000Z',
  },
};
const withdraw = (iso: string): BottleCommand => ({ type: 'Withdraw', bookingId: 'bk-2', now: new Date(iso), by: 'waiter' });

t.test('a stored bottle comes out once, until its storage ends', async (t) => {
  spec(t)
    .given([stored])
    .when(withdraw('2026-04-01T12:00:00.000Z'))
    .then([
      {
        type: 'BottleWithdrawn',
        data: { bottleId: 'b-1', memberId: 'm-1', bookingId: 'bk-2', by: 'waiter', at: '2026-04-01T12:00:00.000Z' },
      },
    ]);
  spec(t).given([stored]).when(withdraw('2026-04-12T12:00:00.000Z')).thenThrows('bottle_expired', { status: 409 });
  const out: BottleEvent = {
    type: 'BottleWithdrawn',
    data: { bottleId: 'b-1', memberId: 'm-1', bookingId: null, by: 'waiter', at: '2026-04-01T12:00:00.000Z' },
  };
  spec(t).given([stored, out]).when(withdraw('2026-04-02T12:00:00.000Z')).thenNothing('withdrawn already');
  spec(t).given([]).when(withdraw('2026-04-02T12:00:00.000Z')).thenThrows('bottle_not_found', { status: 409 });
});
