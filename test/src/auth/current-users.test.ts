import t from 'tap';
import { startTestService } from '../../helpers/service.js';
import { signUp } from '../../helpers/auth.js';
import { grantRolesAsSystem } from '../../../commands/users/bootstrap.js';
import { CurrentUsers } from '../../../src/auth/current-user.js';
import { PostgresEventStore } from '../../../src/eventstore/postgres.js';

t.test('the only writer remembers users and forgets them the moment it changes one', async (t) => {
  const { app, platform, runner } = await startTestService(t);
  const guest = await signUp(app, platform.store, 'guest');
  await runner.catchUp();
  const lookUp = () => app.inject({ method: 'GET', url: `/users/${guest.userId}`, headers: guest.auth });
  t.equal((await lookUp()).statusCode, 403, 'a guest may not look users up (and is now remembered)');
  await grantRolesAsSystem(platform.store, guest.userId, ['manager'], []);
  t.equal((await lookUp()).statusCode, 200, 'the very next request has the new role');
  await grantRolesAsSystem(platform.store, guest.userId, [], ['manager']);
  t.equal((await lookUp()).statusCode, 403, 'and loses it as promptly');
  t.equal(await platform.users.get('00000000-0000-4000-8000-000000000000'), null, 'unknown users are null');
});

t.test('with other writers (Redis configured) every request reads the stream', async (t) => {
  const { app, platform, databaseUrl } = await startTestService(t);
  const guest = await signUp(app, platform.store, 'guest');
  // Another process: its own store on the same database, which this one never hears from.
  const elsewhere = new PostgresEventStore(platform.pool, { connectionString: databaseUrl });
  const shared = new CurrentUsers(platform.store, false);
  const alone = new CurrentUsers(platform.store, true);
  t.same((await shared.get(guest.userId))?.roles, ['guest']);
  t.same((await alone.get(guest.userId))?.roles, ['guest']);
  await grantRolesAsSystem(elsewhere, guest.userId, ['manager'], []);
  t.same((await shared.get(guest.userId))?.roles.slice().sort(), ['guest', 'manager'], 'a change made elsewhere applies at once');
  t.same((await alone.get(guest.userId))?.roles, ['guest'], 'which is why a process remembers users only when it is the only writer');
});
