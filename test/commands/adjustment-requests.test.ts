import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';

const { app, platform, runner } = await startTestService(t);
// Waiters may take off up to ¥10.00 of one bill on their own. The bills are walk-ins' of the hour from now.
const venue = await setUpVenue(app, platform, { waiterAdjustmentLimit: 1000, ...dayEndFarFromNow() });
const { manager, waiter } = venue;

const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
const get = (url: string, auth: Record<string, string>) => call(app, { method: 'GET', url, headers: auth });
const walkIn = async (roomId: string) => {
  const res = await post('/walk-ins', waiter.auth, { roomId, durationMinutes: 60, partySize: 2 });
  if (res.status !== 201) throw new Error(res.raw);
  return res.body.id as string;
};

t.test('a waiter corrects a bill within the venue’s limit; beyond it a manager must approve', async (t) => {
  const booking = await walkIn(venue.rooms.small[0]!);
  const small = await post(`/bookings/${booking}/adjustments`, waiter.auth, { kind: 'round_off', amount: 800, reason: 'small change' });
  t.equal(small.status, 201, small.raw);
  t.equal(small.body.amount, 800);
  const more = await post(`/bookings/${booking}/adjustments`, waiter.auth, { kind: 'discount', amount: 300, reason: 'regulars' });
  t.equal(more.status, 403, 'the limit is for the whole bill: 800 + 300 is over 1000');
  t.equal(more.body.code, 'forbidden');
  const byManager = await post(`/bookings/${booking}/adjustments`, manager.auth, { kind: 'discount', amount: 300, reason: 'regulars' });
  t.equal(byManager.status, 201, 'a manager approves their own');

  t.test('the waiter asks, a manager approves: the correction names both', async (t) => {
    const asked = await post(`/bookings/${booking}/adjustment-requests`, waiter.auth, { kind: 'comp', reason: 'birthday' });
    t.equal(asked.status, 201, asked.raw);
    t.equal(asked.body.status, 'pending');
    const { requestId } = asked.body;
    await runner.catchUp();
    const pending = await get(`/bookings/${booking}/adjustments`, waiter.auth);
    t.match(pending.body.at(-1), {
      id: requestId,
      status: 'pending',
      kind: 'comp',
      amount: null,
      requestedBy: waiter.userId,
      decidedBy: null,
    });

    const byWaiter = await post(`/bookings/${booking}/adjustment-requests/${requestId}/approve`, waiter.auth);
    t.equal(byWaiter.status, 403, 'a waiter cannot approve');
    const approved = await post(`/bookings/${booking}/adjustment-requests/${requestId}/approve`, manager.auth);
    t.equal(approved.status, 201, approved.raw);
    t.equal(approved.body.adjustmentId, requestId);
    t.equal(approved.body.bill.total, 0, 'the comp covers the bill as it stands');
    const again = await post(`/bookings/${booking}/adjustment-requests/${requestId}/approve`, manager.auth);
    t.equal(again.status, 201);
    t.equal(again.body.bill.lines.length, approved.body.bill.lines.length, 'approving twice corrects the bill once');

    await runner.catchUp();
    const list = await get(`/bookings/${booking}/adjustments`, waiter.auth);
    t.match(
      list.body.map((c: { approval: string; requestedBy: string; decidedBy: string; status: string }) => [
        c.approval,
        c.requestedBy,
        c.decidedBy,
        c.status,
      ]),
      [
        ['waiter_limit', waiter.userId, waiter.userId, 'applied'],
        ['manager', manager.userId, manager.userId, 'applied'],
        ['request', waiter.userId, manager.userId, 'applied'],
      ],
    );
  });

  t.test('a declined request stays declined', async (t) => {
    const later = await post(`/bookings/${booking}/orders`, manager.auth, { items: [] });
    t.equal(later.status, 422, 'an order needs items (the bill stays at 0)');
    const asked = await post(`/bookings/${booking}/adjustment-requests`, waiter.auth, {
      kind: 'discount',
      percent: 50,
      reason: 'asked nicely',
    });
    const { requestId } = asked.body;
    const declined = await post(`/bookings/${booking}/adjustment-requests/${requestId}/decline`, manager.auth, { reason: 'no' });
    t.equal(declined.status, 200, declined.raw);
    t.equal(declined.body.status, 'declined');
    const approved = await post(`/bookings/${booking}/adjustment-requests/${requestId}/approve`, manager.auth);
    t.equal(approved.status, 409);
    t.equal(approved.body.code, 'request_declined');
    const foreign = await post(`/bookings/${booking}/adjustment-requests/${crypto.randomUUID()}/approve`, manager.auth);
    t.equal(foreign.status, 404);
  });

  t.test('the report shows who asked and who approved each correction, with totals', async (t) => {
    const out = await post(`/bookings/${booking}/check-out`, waiter.auth, { settlement: 'cash' });
    t.equal(out.status, 200, out.raw);
    await runner.catchUp();
    const date = (await get(`/bookings/${booking}`, waiter.auth)).body.businessDate as string;
    const report = await get(`/reports/adjustments?from=${date}&to=${date}`, manager.auth);
    t.equal(report.status, 200, report.raw);
    const mine = report.body.rows.filter((r: { bookingId: string }) => r.bookingId === booking);
    t.equal(mine.length, 4);
    t.equal(mine[0].businessDate, date);
    t.match(mine.at(-1), { status: 'declined', decidedBy: manager.userId, declineReason: 'no', requestedByName: 'Test waiter' });
    t.same(report.body.byApprover.map((a: { key: string }) => a.key).sort(), [manager.userId, waiter.userId].sort());
    t.equal(
      report.body.total,
      out.body.bill.lines
        .filter((l: { kind: string }) => l.kind !== 'adjustment')
        .reduce((s: number, l: { amount: number }) => s + l.amount, 0),
    );
    const waiterReport = await get(`/reports/adjustments?from=${date}&to=${date}`, waiter.auth);
    t.equal(waiterReport.status, 403, 'reports are for managers and accountants');
    const trial = await get(`/ledger/trial-balance?asOf=${date}`, manager.auth);
    t.equal(trial.body.balanced, true, 'the ledger balances with every correction');
  });
});
