import t from 'tap';
import { sql } from 'kysely';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';
import { demoVenue } from '../../src/root/demo/rate-card.js';
import { businessDateOf } from '../../domain/venue/settings.js';
import { addDays } from '../../domain/venue/time.js';

const { app, platform, runner } = await startTestService(t);
// The bills are walk-ins' of the hour from now.
const dayEnd = dayEndFarFromNow();
const venue = await setUpVenue(app, platform, dayEnd);
const { manager, waiter } = venue;
const [S01, S02, S03] = venue.rooms.small as [string, string, string];

const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
const product = async (payload: object) => {
  const res = await post('/products', manager.auth, payload);
  if (res.status !== 201) throw new Error(res.raw);
  return res.body.id as string;
};
const walkIn = async (roomId: string) => {
  const res = await post('/walk-ins', waiter.auth, { roomId, durationMinutes: 60, partySize: 2 });
  if (res.status !== 201) throw new Error(res.raw);
  return res.body.id as string;
};
const stockOf = async (id: string) => {
  await runner.catchUp();
  const list = await call(app, { method: 'GET', url: '/products', headers: waiter.auth });
  return (list.body as { id: string; stock: number | null }[]).find((p) => p.id === id)?.stock;
};

const beer = await product({ name: '青岛啤酒', category: 'drinks', unit: 'bottle', price: 1500, stock: 10 });
const fruit = await product({ name: 'Fruit platter', category: 'fruit', unit: 'plate', price: 6800 });

t.test('a night at the desk: orders on the bill, stock taken and given back, product revenue in the ledger', async (t) => {
  const booking = await walkIn(S01);
  const order = await post(`/bookings/${booking}/orders`, waiter.auth, {
    items: [
      { productId: beer, quantity: 4 },
      { productId: fruit, quantity: 1 },
    ],
  });
  t.equal(order.status, 201, order.raw);
  t.equal(order.body.total, 4 * 1500 + 6800, 'the order is priced at the catalogue prices');
  const room = order.body.bill.lines[0].amount as number;
  t.same(order.body.bill.lines, [
    { kind: 'room', description: 'Room', amount: room },
    { kind: 'product', description: '青岛啤酒 × 4 bottle', amount: 6000 },
    { kind: 'product', description: 'Fruit platter × 1 plate', amount: 6800 },
  ]);
  t.equal(order.body.bill.total, room + 12800);
  t.equal(await stockOf(beer), 6, 'four bottles left the stock');
  t.equal(await stockOf(fruit), null, 'a platter made to order is not counted');

  const tooMuch = await post(`/bookings/${booking}/orders`, waiter.auth, {
    items: [
      { productId: fruit, quantity: 1 },
      { productId: beer, quantity: 7 },
    ],
  });
  t.equal(tooMuch.status, 409);
  t.equal(tooMuch.body.code, 'out_of_stock');
  t.match(tooMuch.body, { productId: beer, available: 6, requested: 7 });
  t.equal(await stockOf(beer), 6, 'nothing of a refused order is taken');

  const orderId = order.body.orderId as string;
  const byWaiter = await post(`/bookings/${booking}/orders/${orderId}/void`, waiter.auth, { lineNo: 1, reason: 'spilled' });
  t.equal(byWaiter.status, 403, 'a waiter cannot void');
  const voided = await post(`/bookings/${booking}/orders/${orderId}/void`, manager.auth, { lineNo: 1, reason: 'spilled' });
  t.equal(voided.status, 200, voided.raw);
  t.equal(voided.body.bill.total, room + 6800, 'the beer is off the bill');
  t.equal(await stockOf(beer), 10, 'and back in stock');
  const again = await post(`/bookings/${booking}/orders/${orderId}/void`, manager.auth, { lineNo: 1, reason: 'spilled' });
  t.equal(again.status, 200);
  t.equal(await stockOf(beer), 10, 'voiding twice returns the stock once');

  const out = await post(`/bookings/${booking}/check-out`, waiter.auth, { settlement: 'cash' });
  t.equal(out.status, 200, out.raw);
  t.same(out.body.bill.lines, [
    { kind: 'room', description: 'Room', amount: room },
    { kind: 'product', description: 'Fruit platter × 1 plate', amount: 6800 },
  ]);
  t.equal(out.body.bill.total, room + 6800);
  const late = await post(`/bookings/${booking}/orders`, waiter.auth, { items: [{ productId: fruit, quantity: 1 }] });
  t.equal(late.status, 409);
  t.equal(late.body.code, 'not_in_room');

  await runner.catchUp();
  const read = await call(app, { method: 'GET', url: `/bookings/${booking}`, headers: waiter.auth });
  t.equal(read.body.total, room + 6800, 'the booking as read counts the products');
  t.same(read.body.bill.lines, out.body.bill.lines);
  const { rows } = await sql<{ account: string; n: number }>`
    SELECT account, sum(credit - debit)::float8 AS n FROM rm.journal_lines WHERE booking_id = ${booking} AND account LIKE '6%'
    GROUP BY account ORDER BY account`.execute(platform.db);
  t.same(
    rows,
    [
      { account: '6001', n: room },
      { account: '6002', n: 6800 },
    ],
    'room and food and drink are separate revenue',
  );
  const asOf = addDays(businessDateOf(new Date(), { ...demoVenue, ...dayEnd }), 1);
  const tb = await call(app, { method: 'GET', url: `/ledger/trial-balance?asOf=${asOf}`, headers: manager.auth });
  t.equal(tb.body.balanced, true);
});

t.test('the last bottles: orders racing for them never take more than there is', async (t) => {
  const cider = await product({ name: 'Cider', category: 'drinks', unit: 'bottle', price: 2000, stock: 10 });
  const bookings = [await walkIn(S02), await walkIn(S03)];
  const answers = await Promise.all(
    Array.from({ length: 6 }, (_, i) =>
      post(`/bookings/${bookings[i % 2]}/orders`, waiter.auth, { items: [{ productId: cider, quantity: 3 }] }),
    ),
  );
  const statuses = answers.map((a) => a.status).sort();
  t.same(statuses, [201, 201, 201, 409, 409, 409], 'three orders of three fit in ten');
  t.ok(answers.filter((a) => a.status === 409).every((a) => a.body.code === 'out_of_stock'));
  t.equal(await stockOf(cider), 1);
});

t.test('the catalogue: managers add and change products, staff read it; bad input is refused', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  t.equal((await post('/products', waiter.auth, { name: 'x', category: 'drinks', price: 1 })).status, 403, 'waiters do not set prices');
  t.equal((await call(app, { method: 'GET', url: '/products', headers: guest.auth })).status, 403, 'guests do not see the till');
  const change = await call(app, {
    method: 'PUT',
    url: `/products/${fruit}`,
    headers: manager.auth,
    payload: { name: 'Fruit platter', category: 'fruit', unit: 'plate', price: 7800, available: false },
  });
  t.equal(change.status, 200, change.raw);
  const booking = await walkIn(venue.rooms.medium[0]!);
  const off = await post(`/bookings/${booking}/orders`, waiter.auth, { items: [{ productId: fruit, quantity: 1 }] });
  t.equal(off.body.code, 'product_unavailable');
  const unknown = await post(`/bookings/${booking}/orders`, waiter.auth, { items: [{ productId: 'nope', quantity: 1 }] });
  t.equal(unknown.status, 422);
  t.equal(unknown.body.code, 'unknown_product');
  t.equal(
    (await post(`/bookings/${booking}/orders`, waiter.auth, { items: [] })).body.code,
    'validation_failed',
    'an empty order is no order',
  );
  const received = await post(`/products/${beer}/stock`, manager.auth, { quantity: 12, note: 'delivery' });
  t.equal(received.status, 201);
  t.equal(received.body.stock, 22);
  const notCounted = await post(`/products/${fruit}/stock`, manager.auth, { quantity: 1 });
  t.equal(notCounted.body.code, 'stock_not_counted');
  await runner.catchUp();
  const list = await call(app, { method: 'GET', url: '/products?category=fruit', headers: waiter.auth });
  t.match(list.body, [{ id: fruit, price: 7800, available: false, stock: null }]);
});

t.test('corrections: managers discount, comp and round off an open bill; the ledger shows them as contra-revenue', async (t) => {
  const booking = await walkIn(venue.rooms.medium[1]!);
  await post(`/bookings/${booking}/orders`, waiter.auth, { items: [{ productId: beer, quantity: 2 }] });
  const byWaiter = await post(`/bookings/${booking}/adjustments`, waiter.auth, { kind: 'comp', reason: 'birthday' });
  t.equal(byWaiter.status, 403, 'a waiter cannot take money off a bill');
  const both = await post(`/bookings/${booking}/adjustments`, manager.auth, { kind: 'discount', amount: 100, percent: 5, reason: 'x' });
  t.equal(both.body.code, 'validation_failed', 'a discount is an amount or a percent, not both');

  const discount = await post(`/bookings/${booking}/adjustments`, manager.auth, { kind: 'discount', percent: 10, reason: 'regulars' });
  t.equal(discount.status, 201, discount.raw);
  const standing = discount.body.bill.lines
    .filter((l: { kind: string }) => l.kind !== 'adjustment')
    .reduce((s: number, l: { amount: number }) => s + l.amount, 0);
  t.equal(discount.body.amount, Math.round(standing / 10));
  t.match(discount.body.bill.lines.at(-1), { kind: 'adjustment', description: 'Discount 10 %: regulars', amount: -discount.body.amount });
  t.equal(discount.body.bill.total, standing - discount.body.amount, 'the total is the sum of the lines');

  const comp = await post(`/bookings/${booking}/adjustments`, manager.auth, { kind: 'comp', reason: 'owner’s guests' });
  t.equal(comp.body.bill.total, 0, 'a comp covers the whole bill as it stands');
  const later = await post(`/bookings/${booking}/orders`, waiter.auth, { items: [{ productId: beer, quantity: 1 }] });
  t.equal(later.body.bill.total, 1500, 'what is ordered after the comp is billed');
  const tooMuch = await post(`/bookings/${booking}/adjustments`, manager.auth, { kind: 'discount', amount: 1501, reason: 'x' });
  t.equal(tooMuch.body.code, 'adjustment_exceeds_bill');

  const out = await post(`/bookings/${booking}/check-out`, waiter.auth, { settlement: 'cash' });
  t.equal(out.body.bill.total, 1500);
  const afterwards = await post(`/bookings/${booking}/adjustments`, manager.auth, { kind: 'comp', reason: 'late' });
  t.equal(afterwards.status, 409, 'a closed bill is not adjusted');

  await runner.catchUp();
  const { rows } = await sql<{ account: string; n: number }>`
    SELECT account, sum(credit - debit)::float8 AS n FROM rm.journal_lines WHERE booking_id = ${booking} AND account LIKE '6%'
    GROUP BY account ORDER BY account`.execute(platform.db);
  const adjustments = discount.body.amount + (standing - discount.body.amount);
  t.same(
    rows,
    [
      { account: '6001', n: out.body.bill.lines[0].amount },
      { account: '6002', n: 4500 },
      { account: '6003', n: -adjustments },
    ],
    'revenue gross by kind, adjustments against it',
  );
  t.equal(
    rows.reduce((s, r) => s + r.n, 0),
    1500,
    'net revenue is what was billed',
  );
});
