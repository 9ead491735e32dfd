import { randomUUID } from 'node:crypto';
import t from 'tap';
import { Redis } from 'ioredis';
import { until } from '../../helpers/until.js';
import { loadConfig } from '../../../src/config.js';
import { redisOptions } from '../../../src/infra/redis.js';
import { createLogger } from '../../../src/logger.js';
import { BullMqAdmissionQueue, type AdmissionRequest } from '../../../src/jobs/admission.js';

/**
 * Strict first come, first served per group (a room-day) across several BullMQ
 * workers: two queue instances, each with several slots, decide one group's
 * requests in the order they arrived, however long each takes.
 */
const redisUrl = loadConfig(process.env).redisUrl;
if (!redisUrl) {
  t.pass('REDIS_URL not set: the BullMQ queue is not exercised here');
} else {
  const logger = createLogger(loadConfig({}, { LOG_LEVEL: 'silent' }));
  const redis = new Redis(redisUrl);
  const names: string[] = [];
  const queue = (name: string) => new BullMqAdmissionQueue(redisOptions(redisUrl), redis, 4, () => undefined, logger, name);
  t.teardown(async () => {
    for (const name of names) for (const key of await redis.keys(`*${name}*`)) await redis.del(key);
    await redis.quit();
  });

  const request = (group: string): AdmissionRequest => ({ id: randomUUID(), owner: 'guest', group, payload: null, enqueuedAt: Date.now() });

  /** Two instances' workers; each decision takes a random few milliseconds and is logged when it ends. */
  async function workers(name: string, decided: string[]) {
    const sleep = () => new Promise((r) => setTimeout(r, Math.random() * 15));
    const instances = [queue(name), queue(name)];
    for (const q of instances)
      await q.start(async (r) => {
        await sleep();
        decided.push(r.id);
        return { status: 'held', bookingId: r.id };
      });
    t.teardown(() => Promise.all(instances.map((q) => q.close())));
    return instances;
  }

  t.test('two instances, eight slots: each room-day decided in arrival order, others alongside', async (t) => {
    const name = `ktv-test-fcfs-${randomUUID()}`;
    names.push(name);
    const decided: string[] = [];
    const [a, b] = await workers(name, decided);
    const line: Record<string, string[]> = { 'roomday-1': [], 'roomday-2': [] };
    for (let i = 0; i < 24; i++) {
      const group = i % 3 === 0 ? 'roomday-2' : 'roomday-1';
      const r = request(group);
      line[group]!.push(r.id);
      await (i % 2 ? a! : b!).enqueue(r);
    }
    await until(() => decided.length === 24, { timeoutMs: 20_000 });
    for (const [group, ids] of Object.entries(line))
      t.same(
        decided.filter((id) => ids.includes(id)),
        ids,
        `${group}: first come, first served`,
      );
    t.equal(await redis.zcard(`${name}:line:roomday-1`), 0, 'nobody left in line');
  });

  t.test('a place in line whose request never reached the queue is skipped after a moment', async (t) => {
    const name = `ktv-test-fcfs-${randomUUID()}`;
    names.push(name);
    const decided: string[] = [];
    const [a] = await workers(name, decided);
    // An enqueue that died between taking its place and queueing its job.
    await redis.zadd(`${name}:line:roomday-1`, 0, randomUUID());
    const r = request('roomday-1');
    await a!.enqueue(r);
    await until(() => decided.length === 1, { timeoutMs: 10_000 });
    t.same(decided, [r.id]);
  });
}
