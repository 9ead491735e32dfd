import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { dayEndFarFromNow, setUpVenue } from '../helpers/venue.js';

const { app, platform, runner } = await startTestService(t);
// The receipts are walk-ins', for the hour from now.
const venue = await setUpVenue(app, platform, { vatRatePercent: 6, venueName: '星光 KTV', ...dayEndFarFromNow() });
const { manager, waiter } = venue;
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });

const beer = (await post('/products', manager.auth, { name: '青岛啤酒', category: 'drinks', unit: 'bottle', price: 1500 })).body.id;
const booking = (await post('/walk-ins', waiter.auth, { roomId: venue.rooms.small[0], durationMinutes: 60, partySize: 2 })).body
  .id as string;
await post(`/bookings/${booking}/orders`, waiter.auth, { items: [{ productId: beer, quantity: 2 }] });
await runner.catchUp();

t.test('no receipt before check-out', async (t) => {
  const res = await call(app, { method: 'GET', url: `/bookings/${booking}/receipt`, headers: waiter.auth });
  t.equal(res.status, 409);
  t.equal(res.body.code, 'not_checked_out');
});

t.test('after check-out: a printable page with the venue, the lines, the tax and the payments, in Chinese', async (t) => {
  const out = await post(`/bookings/${booking}/check-out`, waiter.auth, { settlement: 'cash' });
  t.equal(out.status, 200, out.raw);
  await runner.catchUp();
  const res = await app.inject({ method: 'GET', url: `/bookings/${booking}/receipt`, headers: waiter.auth });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.headers['content-type'], /^text\/html/);
  const html = res.body;
  const { total, tax } = out.body.bill;
  for (const text of [
    '星光 KTV',
    '结账单',
    '包厢费',
    '酒水商品',
    '青岛啤酒 × 2 bottle',
    '¥30.00',
    '合计 Total',
    `¥${(total / 100).toFixed(2)}`,
  ]) {
    t.ok(html.includes(text), `shows ${text}`);
  }
  t.ok(html.includes(`税额 (增值税 6%)</td><td class="amt">¥${(tax.amount / 100).toFixed(2)}`), 'the VAT inside the total');
  t.ok(html.includes('现金'), 'the cash payment taken at check-out');
  t.ok(html.includes('@page{size:80mm auto'), 'an 80 mm thermal roll by default');
  const a4 = await app.inject({ method: 'GET', url: `/bookings/${booking}/receipt?paper=a4`, headers: waiter.auth });
  t.ok(a4.body.includes('@page{size:A4'), 'A4 on request');
});

t.test('as a PDF: a well-formed file whose cross-reference table points at every object', async (t) => {
  for (const options of [
    { url: `/bookings/${booking}/receipt?format=pdf`, headers: waiter.auth },
    { url: `/bookings/${booking}/receipt`, headers: { ...waiter.auth, accept: 'application/pdf' } },
  ]) {
    const res = await app.inject({ method: 'GET', ...options });
    t.equal(res.statusCode, 200);
    t.equal(res.headers['content-type'], 'application/pdf');
    const pdf = res.rawPayload.toString('latin1');
    t.ok(pdf.startsWith('%PDF-1.4\n'));
    t.ok(pdf.endsWith('%%EOF\n'));
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(pdf)?.[1]);
    t.ok(pdf.startsWith('xref\n', startxref), 'startxref points at the table');
    const offsets = [...pdf.slice(startxref).matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    t.ok(offsets.length >= 7);
    offsets.forEach((offset, i) => t.ok(pdf.startsWith(`${i + 1} 0 obj\n`, offset), `object ${i + 1} is where the table says`));
    for (const m of pdf.matchAll(/<< \/Length (\d+) >>\nstream\n/g)) {
      const start = (m.index ?? 0) + m[0].length;
      t.equal(pdf.slice(start + Number(m[1]), start + Number(m[1]) + 10), '\nendstream', 'the stream length is exact');
    }
    t.ok(pdf.includes('/BaseFont /STSong-Light /Encoding /UniGB-UCS2-H'));
    t.ok(pdf.includes('<661F51490020004B00540056>'), 'the venue name in UCS-2 (星光 KTV)');
  }
});

t.test('a guest sees only their own receipts', async (t) => {
  const guest = await signUp(app, platform.store, 'guest');
  const res = await call(app, { method: 'GET', url: `/bookings/${booking}/receipt`, headers: guest.auth });
  t.equal(res.status, 404);
});

t.test('cash tendered at check-out: the receipt shows what was handed over and the change, on the page and in the PDF', async (t) => {
  const party = (await post('/walk-ins', waiter.auth, { roomId: venue.rooms.small[1], durationMinutes: 60, partySize: 2 })).body
    .id as string;
  await runner.catchUp();
  const out = await post(`/bookings/${party}/check-out`, waiter.auth, { payments: [{ method: 'cash' }], cashTendered: 100_000 });
  t.equal(out.status, 200, out.raw);
  const { cashTendered, change } = out.body.settlement;
  t.equal(cashTendered, 100_000);
  t.equal(change, 100_000 - out.body.bill.due);
  await runner.catchUp();
  const html = (await app.inject({ method: 'GET', url: `/bookings/${party}/receipt`, headers: waiter.auth })).body;
  t.ok(html.includes('收款 Tendered</td><td class="amt">¥1000.00'), 'what the guest handed over');
  t.ok(html.includes(`找零 Change</td><td class="amt">¥${(change / 100).toFixed(2)}`), 'the change given back');
  const ucs2 = (s: string) => [...s].map((c) => c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')).join('');
  const pdf = (await app.inject({ method: 'GET', url: `/bookings/${party}/receipt?format=pdf`, headers: waiter.auth })).rawPayload.toString(
    'latin1',
  );
  t.ok(pdf.includes(`<${ucs2('收款 Tendered')}>`), 'the PDF shows the tendered row');
  t.ok(pdf.includes(`<${ucs2(`¥${(change / 100).toFixed(2)}`)}>`) && pdf.includes(`<${ucs2('找零 Change')}>`), 'and the change');
});

t.test('a receipt with no cash tendered entered shows no tendered or change rows', async (t) => {
  const html = (await app.inject({ method: 'GET', url: `/bookings/${booking}/receipt`, headers: waiter.auth })).body;
  t.notOk(html.includes('找零'));
});
