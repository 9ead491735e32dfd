import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { businessDateOf, DEFAULT_VENUE } from '../../domain/venue/settings.js';
import { addDays } from '../../domain/venue/time.js';

const { app, platform, runner } = await startTestService(t);
// The bills are walk-ins' of the hour from now.
const dayEnd = dayEndFarFromNow();
const venue = await setUpVenue(app, platform, dayEnd);
const { manager, waiter } = venue;
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
const get = (url: string, auth: Record<string, string>) => call(app, { method: 'GET', url, headers: auth });
const today = businessDateOf(new Date(), { ...DEFAULT_VENUE, ...dayEnd });
const beer = (await post('/products', manager.auth, { name: 'Beer', category: 'drinks', price: 1_500, stock: 100 })).body.id as string;

async function partyWithDrinks(roomId: string) {
  const walkIn = await post('/walk-ins', waiter.auth, { roomId, durationMinutes: 60, partySize: 2 });
  t.equal(walkIn.status, 201, walkIn.raw);
  await post(`/bookings/${walkIn.body.id}/orders`, waiter.auth, { items: [{ productId: beer, quantity: 4 }] });
  return walkIn.body.id as string;
}

t.test('a bill split across stored value, card and cash with change given; the ledger balances', async (t) => {
  const member = await signUp(app, platform.store, 'guest');
  await post(`/members/${member.userId}/top-ups`, waiter.auth, { amount: 5_000, method: 'cash' });
  const id = await partyWithDrinks(venue.rooms.small[0]!);
  const out = await post(`/bookings/${id}/check-out`, waiter.auth, {
    payments: [{ method: 'stored_value', amount: 5_000, memberId: member.userId }, { method: 'card', amount: 2_000 }, { method: 'cash' }],
    cashTendered: 20_000,
  });
  t.equal(out.status, 200, out.raw);
  const due = out.body.bill.due as number;
  const cash = due - 7_000;
  t.ok(cash > 0, 'cash takes the rest');
  t.same(
    out.body.settlement.payments.map((p: { method: string; amount: number }) => [p.method, p.amount]),
    [
      ['stored_value', 5_000],
      ['card', 2_000],
      ['cash', cash],
    ],
  );
  t.match(out.body.settlement, { cashTendered: 20_000, change: 20_000 - cash }, 'change from what was tendered');
  t.equal(
    (await post(`/bookings/${id}/check-out`, waiter.auth, { payments: [{ method: 'cash' }] })).body.settlement.payments.length,
    0,
    'a repeat takes nothing more',
  );

  await runner.catchUp();
  t.equal((await get(`/members/${member.userId}/balance`, member.auth)).body.balance, 0, 'the member paid from the balance');
  const accountant = await signUp(app, platform.store, 'accountant');
  const entries = await get(`/ledger/entries?from=${today}&to=${addDays(today, 1)}`, accountant.auth);
  const ofBooking = (entries.body as { bookingId: string | null; account: string; debit: number; credit: number }[]).filter(
    (l) => l.bookingId === id,
  );
  const net = (account: string) => ofBooking.filter((l) => l.account === account).reduce((s, l) => s + l.debit - l.credit, 0);
  t.equal(net('1122'), 0, 'nothing left owed by the party');
  t.equal(net('1001'), cash, 'cash kept is the cash part (the change went back)');
  t.equal(net('1003'), 2_000);
  const tb = await get(`/ledger/trial-balance?asOf=${addDays(today, 1)}`, manager.auth);
  t.equal(tb.body.balanced, true);
  t.equal((tb.body.accounts as { account: string; balance: number }[]).find((a) => a.account === '1020')?.balance ?? 0, 0);
});

t.test(
  'a split that does not cover the bill is refused while the party is still in the room; a corrected one takes what is due',
  async (t) => {
    const id = await partyWithDrinks(venue.rooms.small[1]!);
    const wrong = await post(`/bookings/${id}/check-out`, waiter.auth, { payments: [{ method: 'card', amount: 1_000 }] });
    t.equal(wrong.status, 409);
    t.equal(wrong.body.code, 'split_mismatch');
    const due = wrong.body.due as number;
    await runner.catchUp();
    t.equal((await get(`/bookings/${id}`, waiter.auth)).body.status, 'checked_in', 'nothing changed');
    const right = await post(`/bookings/${id}/check-out`, waiter.auth, {
      payments: [{ method: 'card', amount: 1_000 }, { method: 'cash' }],
      cashTendered: due,
    });
    t.equal(right.status, 200, right.raw);
    t.same(
      right.body.settlement.payments.map((p: { amount: number }) => p.amount),
      [1_000, due - 1_000],
    );
    t.equal(right.body.settlement.change, 1_000);
  },
);

t.test('bad splits are refused before the room is closed', async (t) => {
  const id = await partyWithDrinks(venue.rooms.small[2]!);
  const two = await post(`/bookings/${id}/check-out`, waiter.auth, { payments: [{ method: 'card' }, { method: 'cash' }] });
  t.equal(two.body.code, 'split_ambiguous');
  const noCash = await post(`/bookings/${id}/check-out`, waiter.auth, { payments: [{ method: 'card' }], cashTendered: 100 });
  t.equal(noCash.body.code, 'no_cash_part');
  t.equal((await post(`/bookings/${id}/check-out`, waiter.auth, { payments: [{ method: 'wechatpay' }] })).status, 422);
  await runner.catchUp();
  t.equal((await get(`/bookings/${id}`, waiter.auth)).body.status, 'checked_in', 'still in the room');
  const short = await post(`/bookings/${id}/check-out`, waiter.auth, { payments: [{ method: 'cash' }], cashTendered: 1 });
  t.equal(short.body.code, 'tendered_short');
});
