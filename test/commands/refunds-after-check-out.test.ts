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
const venue = await setUpVenue(app, platform, { vatRatePercent: 6, ...dayEnd });
const { manager, waiter } = venue;
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
const today = businessDateOf(new Date(), { ...DEFAULT_VENUE, ...dayEnd });

t.test('a refund after check-out names who asked, who approved and why; revenue and its VAT come back out of the ledger', async (t) => {
  const walkIn = await post('/walk-ins', waiter.auth, { roomId: venue.rooms.small[0], durationMinutes: 60, partySize: 2 });
  const id = walkIn.body.id as string;
  const early = await post(`/bookings/${id}/refunds`, manager.auth, { amount: 100, reason: 'too soon' });
  t.equal(early.status, 409, 'not before check-out');
  const out = await post(`/bookings/${id}/check-out`, waiter.auth, { payments: [{ method: 'cash' }] });
  const paymentId = out.body.settlement.payments[0].paymentId as string;

  t.equal(
    (await post(`/bookings/${id}/refunds`, waiter.auth, { amount: 1_060, reason: 'mic broken', paymentId })).status,
    403,
    'a waiter cannot approve',
  );
  const tooMuch = await post(`/bookings/${id}/refunds`, manager.auth, { amount: out.body.bill.total + 1, reason: 'x', paymentId });
  t.equal(tooMuch.body.code, 'refund_too_large');

  const refund = await post(`/bookings/${id}/refunds`, manager.auth, {
    amount: 1_060,
    reason: 'mic broken for half the time',
    requestedBy: waiter.userId,
    paymentId,
  });
  t.equal(refund.status, 201, refund.raw);
  t.match(refund.body, { paymentId, amount: 1_060, requestedBy: waiter.userId, approvedBy: manager.userId });
  const events = (await platform.store.readStream(`payment-${paymentId}`)).events;
  t.match(
    events.find((e) => e.type === 'RefundAuthorised')?.data,
    { amount: 1_060, reason: 'mic broken for half the time', requestedBy: waiter.userId, approvedBy: manager.userId, vatRatePercent: 6 },
    'the event says who asked, who approved and why',
  );
  t.same(events.map((e) => e.type).slice(-3), ['RefundAuthorised', 'RefundRequested', 'RefundSucceeded'], 'cash is paid out at once');

  await runner.catchUp();
  const accountant = await signUp(app, platform.store, 'accountant');
  const lines = (await call(app, { method: 'GET', url: `/ledger/entries?from=${today}&to=${addDays(today, 1)}`, headers: accountant.auth }))
    .body as { bookingId: string | null; account: string; debit: number; credit: number }[];
  const net = (account: string) =>
    lines.filter((l) => l.bookingId === id && l.account === account).reduce((s, l) => s + l.debit - l.credit, 0);
  t.equal(net('6004'), 1_000, 'revenue taken back, net of tax');
  t.equal(net('2203'), 0, 'nothing left held for the guest');
  t.equal(net('1001'), out.body.bill.total - 1_060, 'cash kept');
  const tb = await call(app, { method: 'GET', url: `/ledger/trial-balance?asOf=${addDays(today, 1)}`, headers: manager.auth });
  t.equal(tb.body.balanced, true);
});

t.test('a refund of a part paid from stored value goes back to the member’s balance', async (t) => {
  const member = await signUp(app, platform.store, 'guest');
  await post(`/members/${member.userId}/top-ups`, waiter.auth, { amount: 3_000, method: 'card' });
  const walkIn = await post('/walk-ins', waiter.auth, { roomId: venue.rooms.small[1], durationMinutes: 60, partySize: 2 });
  const id = walkIn.body.id as string;
  const out = await post(`/bookings/${id}/check-out`, waiter.auth, {
    payments: [{ method: 'stored_value', amount: 3_000, memberId: member.userId }, { method: 'cash' }],
  });
  t.equal(out.status, 200, out.raw);
  const sv = (out.body.settlement.payments as { paymentId: string; method: string }[]).find((p) => p.method === 'stored_value')!;
  const refund = await post(`/bookings/${id}/refunds`, manager.auth, { amount: 2_000, reason: 'wrong room rate', paymentId: sv.paymentId });
  t.equal(refund.status, 201, refund.raw);
  await runner.catchUp();
  t.equal((await call(app, { method: 'GET', url: `/members/${member.userId}/balance`, headers: member.auth })).body.balance, 2_000);
  const tb = await call(app, { method: 'GET', url: `/ledger/trial-balance?asOf=${addDays(today, 1)}`, headers: manager.auth });
  t.equal(tb.body.balanced, true);
  t.equal((tb.body.accounts as { account: string; balance: number }[]).find((a) => a.account === '1020')?.balance ?? 0, 0);
});
