import t from 'tap';
import { loadConfig } from '../../../src/config.js';
import { startTestService } from '../../helpers/service.js';

// Two instances over one database, one naming the server by address and one by name, share one Redis.
const redisUrl = loadConfig(process.env).redisUrl;
const skip = redisUrl ? false : 'REDIS_URL not set: the news between instances goes through Redis';

t.test('instances over one database hear each other however their URLs spell it; another database stays apart', { skip }, async (t) => {
  const a = await startTestService(t, { redis: true });
  const byName = new URL(a.databaseUrl);
  byName.hostname = byName.hostname === '127.0.0.1' ? 'localhost' : '127.0.0.1';
  byName.searchParams.set('application_name', 'second-instance');
  const b = await startTestService(t, { redis: true, databaseUrl: byName.toString() });
  const other = await startTestService(t, { redis: true });
  t.equal(b.platform.deploymentId, a.platform.deploymentId, 'one database, one identity');
  t.not(other.platform.deploymentId, a.platform.deploymentId, 'another database has its own');

  const heard: string[] = [];
  const stopB = await b.platform.news.subscribe('deployment-test', (m) => heard.push(`b:${m}`));
  const stopOther = await other.platform.news.subscribe('deployment-test', (m) => heard.push(`other:${m}`));
  t.teardown(async () => {
    await stopB();
    await stopOther();
  });
  await a.platform.news.publish('deployment-test', 'hello');
  const deadline = Date.now() + 5000;
  while (!heard.includes('b:hello') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // Whatever else was coming has had the time the first message took, and more.
  await new Promise((r) => setTimeout(r, 200));
  t.same(heard, ['b:hello'], 'the second instance hears it; the other database does not');
});
