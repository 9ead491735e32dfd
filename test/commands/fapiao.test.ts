import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';

const { app, platform, runner } = await startTestService(t);
// The bill is a walk-in's, for the hour from now.
const venue = await setUpVenue(app, platform, { vatRatePercent: 6, ...dayEndFarFromNow() });
const { waiter } = venue;
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });

const booking = (await post('/walk-ins', waiter.auth, { roomId: venue.rooms.small[0], durationMinutes: 60, partySize: 2 })).body
  .id as string;
const company = { buyerKind: 'company', buyerName: '福州某某科技有限公司', taxId: '91350100m000100y43', email: 'finance@example.com' };

t.test('a fapiao is for a checked-out bill', async (t) => {
  const early = await post(`/bookings/${booking}/fapiao`, waiter.auth, company);
  t.equal(early.status, 409);
  t.equal(early.body.code, 'not_checked_out');
});

t.test('the desk asks for a company’s fapiao; the accountant exports it for the invoicing tool', async (t) => {
  const out = await post(`/bookings/${booking}/check-out`, waiter.auth, { settlement: 'cash' });
  t.equal(out.status, 200, out.raw);
  const bad = await post(`/bookings/${booking}/fapiao`, waiter.auth, { ...company, taxId: '91350100M000100Y44' });
  t.equal(bad.status, 422, 'a wrong check character');
  t.match(bad.body.errors, [{ field: 'taxId' }]);
  const missing = await post(`/bookings/${booking}/fapiao`, waiter.auth, { buyerKind: 'company', buyerName: 'X' });
  t.equal(missing.status, 422, 'a company needs its tax id');

  const asked = await post(`/bookings/${booking}/fapiao`, waiter.auth, company);
  t.equal(asked.status, 201, asked.raw);
  t.same(asked.body, { bookingId: booking, status: 'requested', amount: out.body.bill.total, tax: out.body.bill.tax.amount });
  const again = await post(`/bookings/${booking}/fapiao`, waiter.auth, company);
  t.equal(again.status, 201, 'the same request again is a retry');
  const other = await post(`/bookings/${booking}/fapiao`, waiter.auth, { buyerKind: 'personal', buyerName: '张三' });
  t.equal(other.status, 409);
  t.equal(other.body.code, 'fapiao_already_requested');

  await runner.catchUp();
  const date = (await call(app, { method: 'GET', url: `/bookings/${booking}`, headers: waiter.auth })).body.businessDate as string;
  const accountant = await signUp(app, platform.store, 'accountant');
  const list = await call(app, { method: 'GET', url: `/fapiao-requests?from=${date}&to=${date}`, headers: accountant.auth });
  t.equal(list.status, 200, list.raw);
  t.match(list.body, [
    { bookingId: booking, buyerKind: 'company', taxId: '91350100M000100Y43', requestedBy: waiter.userId, taxRatePercent: 6 },
  ]);
  const csv = await app.inject({ method: 'GET', url: `/fapiao-requests.csv?from=${date}&to=${date}`, headers: accountant.auth });
  t.equal(csv.statusCode, 200);
  t.match(csv.headers['content-type'], /^text\/csv/);
  const [header, row, end] = csv.body.split('\n');
  t.equal(header, '\uFEFF营业日,单号,发票种类,购买方类型,购买方名称,购买方纳税人识别号,收票邮箱,项目名称,含税金额,税率,税额,不含税金额');
  const { total, tax } = out.body.bill;
  t.equal(
    row,
    `${date},${booking},普通发票,单位,福州某某科技有限公司,91350100M000100Y43,finance@example.com,*生活服务*娱乐服务,` +
      `${(total / 100).toFixed(2)},6%,${(tax.amount / 100).toFixed(2)},${((total - tax.amount) / 100).toFixed(2)}`,
  );
  t.equal(end, '');
  const byWaiter = await call(app, { method: 'GET', url: `/fapiao-requests?from=${date}&to=${date}`, headers: waiter.auth });
  t.equal(byWaiter.status, 403);
});

t.test('a guest asks for their own bill’s fapiao only', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const res = await post(`/bookings/${booking}/fapiao`, guest.auth, { buyerKind: 'personal', buyerName: '张三' });
  t.equal(res.status, 404, 'someone else’s booking is not found');
});
