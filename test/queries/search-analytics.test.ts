import t from 'tap';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { setUpVenue } from '../helpers/venue.js';
import { until } from '../helpers/until.js';

const { app, platform, runner } = await startTestService(t);
const venue = await setUpVenue(app, platform);
const guest = await signUp(app, platform.store, 'guest');
await runner.catchUp();

t.test('an answered availability search is recorded as a search analytics row, off the request', async (t) => {
  const start = encodeURIComponent(venue.at(1, '20:00').toISOString());
  const res = await call(app, { method: 'GET', url: `/availability?start=${start}&durationMinutes=120&partySize=3`, headers: guest.auth });
  t.equal(res.status, 200);
  const refused = await call(app, { method: 'GET', url: `/availability?start=nonsense&durationMinutes=120&partySize=3` });
  t.equal(refused.status, 422);
  const searches = () => platform.db.selectFrom('analytics_events').selectAll().where('kind', '=', 'search').execute();
  const rows = await until(async () => {
    const found = await searches();
    return found.length > 0 ? found : null;
  });
  t.equal(rows?.length, 1, 'one search; the refused one is not a search');
  t.equal(rows?.[0]?.user_id, guest.userId);
  t.match(rows?.[0]?.props, { partySize: 3, durationMinutes: 120, rooms: res.body.length });
});
