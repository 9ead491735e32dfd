import t from 'tap';
import { unavailableFor } from '../../../src/infra/unavailable.js';
import { ConflictError, UnavailableError } from '../../../src/errors.js';

t.test('lost PostgreSQL connections become 503 database_unavailable', async (t) => {
  for (const err of [
    Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01', severity: 'FATAL' }),
    Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
    Object.assign(new Error('connection failure'), { code: '08006' }),
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    new Error('Connection terminated unexpectedly'),
    new Error('Client has encountered a connection error and is not queryable'),
  ]) {
    const mapped = unavailableFor(err);
    t.ok(mapped instanceof UnavailableError, err.message);
    t.equal(mapped?.code, 'database_unavailable');
    t.equal(mapped?.status, 503);
  }
});

t.test('a Redis that cannot be reached becomes 503 redis_unavailable', async (t) => {
  const retries = Object.assign(new Error('Reached the max retries per request limit (which is 3).'), {
    name: 'MaxRetriesPerRequestError',
  });
  t.equal(unavailableFor(retries)?.code, 'redis_unavailable');
  t.equal(unavailableFor(new Error('Connection is closed.'))?.code, 'redis_unavailable');
});

t.test('everything else keeps its own meaning', async (t) => {
  t.equal(unavailableFor(Object.assign(new Error('duplicate key'), { code: '23505' })), null);
  t.equal(unavailableFor(new ConflictError('taken', 'Taken.')), null);
  t.equal(unavailableFor(new UnavailableError('overloaded', 'Busy.')), null, 'already a 503');
  t.equal(unavailableFor('a string'), null);
  t.equal(unavailableFor(new TypeError('x is undefined')), null);
});
