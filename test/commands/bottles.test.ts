import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform, { bottleStorageDays: 60 });
const { manager, waiter } = venue;
const post = (url: string, auth: Record<string, string>, payload?: object) => call(app, { method: 'POST', url, headers: auth, payload });
const whisky = (await post('/products', manager.auth, { name: 'Chivas 12', category: 'spirits', unit: 'bottle', price: 68000 })).body
  .id as string;
const member = await signUp(app, platform.store, 'guest');

t.test('the desk stores a member’s bottle for the venue’s period; the member sees it; it comes out once', async (t) => {
  const byGuest = await post('/bottles', member.auth, { memberId: member.userId, productId: whisky, remaining: 'half' });
  t.equal(byGuest.status, 403, 'staff store bottles');
  t.equal(
    (await post('/bottles', waiter.auth, { memberId: member.userId, productId: waiter.userId, remaining: 'half' })).body.code,
    'unknown_product',
  );
  t.equal((await post('/bottles', waiter.auth, { memberId: whisky, productId: whisky, remaining: 'half' })).body.code, 'unknown_member');

  const before = Date.now();
  const stored = await post('/bottles', waiter.auth, { memberId: member.userId, productId: whisky, remaining: 'half', note: 'shelf B3' });
  t.equal(stored.status, 201, stored.raw);
  const days = (Date.parse(stored.body.expiresAt) - before) / 86_400_000;
  t.ok(days > 59.9 && days <= 60.01, 'kept for 60 days');

  await runner.catchUp();
  const mine = await call(app, { method: 'GET', url: '/bottles', headers: member.auth });
  t.match(mine.body, [{ id: stored.body.id, productName: 'Chivas 12', remaining: 'half', note: 'shelf B3', status: 'stored' }]);
  const someoneElse = await signUp(app, platform.store, 'guest');
  const theirs = await call(app, { method: 'GET', url: `/bottles?memberId=${member.userId}`, headers: someoneElse.auth });
  t.same(theirs.body, [], 'a guest sees only their own');

  const out = await post(`/bottles/${stored.body.id}/withdraw`, waiter.auth, {});
  t.same(out.body, { id: stored.body.id, status: 'withdrawn' });
  t.equal((await post(`/bottles/${stored.body.id}/withdraw`, waiter.auth)).status, 200, 'again: nothing more');
  t.equal((await post(`/bottles/${whisky}/withdraw`, waiter.auth)).status, 404);
  await runner.catchUp();
  const list = await call(app, { method: 'GET', url: `/bottles?memberId=${member.userId}&status=withdrawn`, headers: waiter.auth });
  t.match(list.body, [{ id: stored.body.id, status: 'withdrawn' }]);
});
