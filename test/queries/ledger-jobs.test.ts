import t from 'tap';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { startTestService } from '../helpers/service.js';
import { call } from '../helpers/http.js';
import { signUp } from '../helpers/auth.js';
import { until } from '../helpers/until.js';
import { HEADER, row } from '../helpers/trade-bill.js';
import * as features from '../../src/root/features.js';
import { BullMqJobQueue } from '../../src/jobs/queue.js';
import { redisOptions } from '../../src/infra/redis.js';
import { createLogger } from '../../src/logger.js';
import { LEDGER_JOB, ledgerJobs } from '../../queries/ledger-jobs.js';
import { readModelsOf } from '../../projections/read-models.js';
import { paymentStream, type PaymentEvent } from '../../src/events/payments.js';
import { outTradeNoOf } from '../../src/payments/wechatpay/ids.js';
import { paymentStarted, paymentSucceeded } from '../projections/fixtures.js';

/**
 * Replays and reconciliations without a shell: `POST` starts a job on the job queue (timers in the
 * process here, BullMQ with Redis in the last test), `GET` shows its progress and result, and the
 * CSV comes when it is done. The fixtures' payment is on 2026-03-13.
 */
const { app, platform, runner } = await startTestService(t);
await platform.jobs.start(features.jobs(platform).handlers, [], 3_600_000);
const accountant = await signUp(app, platform.store, 'accountant');
const get = (url: string) => call(app, { method: 'GET', url, headers: accountant.auth });
const paymentId = randomUUID();
const events: PaymentEvent[] = [paymentStarted(paymentId, 8820), paymentSucceeded(paymentId, 8820)];
await platform.store.appendToStream(
  paymentStream(paymentId),
  events.map((e) => ({ id: randomUUID(), ...e })),
  'no_stream',
);
const manual = await call(app, {
  method: 'POST',
  url: '/ledger/entries',
  headers: accountant.auth,
  payload: {
    date: '2026-03-13',
    memo: 'petty cash correction',
    lines: [
      { account: '1001', debit: 300, credit: 0 },
      { account: '6003', debit: 0, credit: 300 },
    ],
  },
});
if (manual.status !== 201) throw new Error(manual.raw);
await runner.catchUp();

const finished = async (url: string) => {
  const done = await until(async () => {
    const r = await get(url);
    return r.body.status === 'running' ? null : r;
  });
  return done ?? get(url);
};
const replay = async () => {
  const started = await call(app, {
    method: 'POST',
    url: '/ledger/replays',
    headers: accountant.auth,
    payload: { from: '2026-03-01', to: '2026-03-31' },
  });
  t.equal(started.status, 202, started.raw);
  return finished(`/ledger/replays/${started.body.id}`);
};

t.test('a replay of the ledger reports identical, with progress and the CSV of its lines', async (t) => {
  const done = await replay();
  t.match(done.body, { status: 'done', progress: 1, identical: true, lines: 4, differences: [] });
  const csv = await call(app, { method: 'GET', url: done.body.csvUrl, headers: accountant.auth });
  const live = await call(app, { method: 'GET', url: '/ledger/entries.csv?from=2026-03-01&to=2026-03-31', headers: accountant.auth });
  t.equal(csv.status, 200);
  t.equal(csv.raw, live.raw, 'the same lines, the manual entry among them');
  t.match(csv.raw, /petty cash correction/);
});

t.test('a serving ledger that lost a fen is caught line by line', async (t) => {
  await sql`UPDATE rm.journal_lines SET credit = credit - 1 WHERE account = '2203'`.execute(platform.db);
  const done = await replay();
  t.match(done.body, {
    status: 'done',
    identical: false,
    differences: [{ kind: 'differs', ledger: { credit: 8819 }, replay: { credit: 8820 } }],
  });
  t.equal(done.body.differences.length, 1);
  await sql`UPDATE rm.journal_lines SET credit = credit + 1 WHERE account = '2203'`.execute(platform.db);
});

t.test('an unknown replay is 404, an unfinished one has no CSV yet', async (t) => {
  t.equal((await get(`/ledger/replays/${randomUUID()}`)).status, 404);
  const id = randomUUID();
  await platform.db
    .insertInto('ledger_jobs')
    .values({
      id,
      kind: 'replay',
      params: JSON.stringify({ from: '2026-03-01', to: '2026-03-02' }),
      status: 'running',
      result: null,
      csv: null,
      requested_by: 'x',
    })
    .execute();
  t.match(await get(`/ledger/replays/${id}/csv`), { status: 409, body: { code: 'job_not_done' } });
});

t.test('a WeChat Pay statement reconciled over business dates as a job, mismatches listed and as CSV', async (t) => {
  const stranger = randomUUID();
  const bill = [
    HEADER,
    row('2026-03-13 19:04:00', 'tx-1', outTradeNoOf(paymentId), 'SUCCESS', '88.20'),
    row('2026-03-13 21:00:00', 'tx-2', outTradeNoOf(stranger), 'SUCCESS', '10.00'),
  ].join('\n');
  const started = await call(app, {
    method: 'POST',
    url: '/ledger/reconciliations?from=2026-03-13&to=2026-03-13',
    headers: { ...accountant.auth, 'content-type': 'text/csv' },
    payload: bill,
  });
  t.equal(started.status, 202, started.raw);
  const done = await finished(`/ledger/reconciliations/${started.body.id}`);
  t.match(done.body, {
    status: 'done',
    billRows: 2,
    matched: 1,
    mismatches: [{ paymentId: stranger, kind: 'missing_here', theirs: 1000 }],
  });
  const csv = await call(app, { method: 'GET', url: done.body.csvUrl, headers: accountant.auth });
  t.equal(csv.raw, `payment_id,kind,ours_fen,theirs_fen\n${stranger},missing_here,,1000\n`);

  const bad = await call(app, {
    method: 'POST',
    url: '/ledger/reconciliations?from=2026-03-13&to=2026-03-13',
    headers: { ...accountant.auth, 'content-type': 'text/csv' },
    payload: 'not,a,bill',
  });
  t.match((await finished(`/ledger/reconciliations/${bad.body.id}`)).body, { status: 'failed', problem: /missing columns/ });
});

t.test('with Redis, the job runs on a BullMQ worker', { skip: process.env.REDIS_URL ? false : 'REDIS_URL unset' }, async (t) => {
  const queue = new BullMqJobQueue(
    redisOptions(process.env.REDIS_URL!),
    createLogger({ logLevel: 'silent' }),
    `test-ledger-${randomUUID()}`,
  );
  t.teardown(() => queue.close());
  const jobs = ledgerJobs({ ...platform, jobs: queue, readModels: readModelsOf(platform.pool) });
  await queue.start(jobs.handlers, [], 3_600_000);
  const id = randomUUID();
  await platform.db
    .insertInto('ledger_jobs')
    .values({
      id,
      kind: 'replay',
      params: JSON.stringify({ from: '2026-03-01', to: '2026-03-31' }),
      status: 'running',
      result: null,
      csv: null,
      requested_by: 'x',
    })
    .execute();
  await queue.schedule(LEDGER_JOB, id, new Date());
  t.match((await finished(`/ledger/replays/${id}`)).body, { status: 'done', identical: true, lines: 4 });
});
