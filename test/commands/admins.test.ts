import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';

// A database of its own: the admins here are the venue's only ones.
const { app, platform } = await startTestService(t);
const roles = (auth: Record<string, string>, userId: string, payload: object) =>
  call(app, { method: 'POST', url: `/users/${userId}/roles`, headers: auth, payload });

t.test('the venue always keeps an admin: the last one cannot revoke their own role', async (t) => {
  const first = await signUp(app, platform.store, 'admin', 'admin-1');
  const alone = await roles(first.auth, first.userId, { revoke: ['admin'] });
  t.equal(alone.status, 409);
  t.equal(alone.body.code, 'last_admin');
  t.equal((await roles(first.auth, first.userId, { grant: ['manager'] })).status, 200, 'other roles change as before');

  const second = await signUp(app, platform.store, 'guest', 'admin-2');
  t.equal((await roles(first.auth, second.userId, { grant: ['admin'] })).status, 200);
  const left = await roles(first.auth, first.userId, { revoke: ['admin'] });
  t.equal(left.status, 200, 'with another admin, one may step down');
  t.notOk((left.body.roles as string[]).includes('admin'));
  const last = await roles(second.auth, second.userId, { revoke: ['admin'] });
  t.equal(last.body.code, 'last_admin', 'and then the other is the last');
});

t.test('two admins stepping down at once: one is refused', async (t) => {
  const a = await signUp(app, platform.store, 'admin', 'race-a');
  const b = await signUp(app, platform.store, 'admin', 'race-b');
  // Every other admin steps down first, so a and b are the only ones left.
  const { events } = await platform.store.readStream('admins');
  const counted = new Set<string>();
  for (const e of events) {
    const { userId } = e.data as { userId: string };
    if (e.type === 'AdminGranted') counted.add(userId);
    else counted.delete(userId);
  }
  for (const id of counted) if (id !== a.userId && id !== b.userId) t.equal((await roles(a.auth, id, { revoke: ['admin'] })).status, 200);
  const [ra, rb] = await Promise.all([roles(a.auth, a.userId, { revoke: ['admin'] }), roles(b.auth, b.userId, { revoke: ['admin'] })]);
  t.same([ra.status, rb.status].sort(), [200, 409], `${ra.raw} ${rb.raw}`);
  t.equal([ra, rb].find((r) => r.status === 409)?.body.code, 'last_admin');
});
